"""The office's default vocabularies and catalogue settings (DOMAIN §2), all editable in the admin.

They are put in place after `migrate` whenever the catalogue has no settings yet: on a fresh install, and
after a test flushes the database.
"""

from .models import (
    BusinessCategory,
    BusinessItem,
    CatalogueSettings,
    Classification,
    Fonds,
    Openness,
    RetentionPeriod,
)

RETENTION = [
    ("Y", "永久", None),
    ("D100", "100年", 100),
    ("D50", "50年", 50),
    ("D30", "30年", 30),
    ("D10", "10年", 10),
]
CATEGORIES = [("GL", "管理类"), ("ZJ", "征缴类"), ("DY", "待遇类")]
# The contract's sixteen business items with their category and default retention (office settings).
BUSINESS_ITEMS = [
    ("GL01", "开户登记", "GL", "Y"),
    ("GL02", "变更注销", "GL", "Y"),
    ("GL03", "转移", "GL", "D100"),
    ("GL04", "单位信息变更", "GL", "Y"),
    ("GL05", "个人账户变更", "GL", "D100"),
    ("GL06", "个人信息变更", "GL", "D100"),
    ("GL07", "养老转移", "GL", "D100"),
    ("GL08", "医疗转移", "GL", "D100"),
    ("GL09", "外籍人参保", "GL", "D100"),
    ("ZJ01", "职工基数申报", "ZJ", "D30"),
    ("ZJ02", "企业月度增减", "ZJ", "D30"),
    ("ZJ03", "企业补缴", "ZJ", "D100"),
    ("DY01", "个人账户一次性支付", "DY", "D100"),
    ("DY02", "企业职工退休待遇", "DY", "D100"),
    ("DY03", "参保人员退休审批", "DY", "Y"),
    ("DY04", "退休人员社会化管理服务材料", "DY", "D30"),
]
CLASSIFICATIONS = [("GK", "公开", False), ("NB", "内部", True), ("MM", "秘密", False), ("JM", "机密", False)]
OPENNESS = [("KF", "开放", False), ("KZ", "控制", True), ("YQ", "延期开放", False), ("WSH", "未审核", False)]


def ensure_office_vocabularies() -> None:
    """Give an empty catalogue the office's defaults; terms the administrator changed are left alone."""
    if CatalogueSettings.objects.exists():
        return
    retention = {}
    for order, (code, name, years) in enumerate(RETENTION):
        retention[code], _ = RetentionPeriod.objects.get_or_create(
            code=code, defaults={"name": name, "years": years, "order": order}
        )
    categories = {}
    for order, (code, name) in enumerate(CATEGORIES):
        categories[code], _ = BusinessCategory.objects.get_or_create(
            code=code, defaults={"name": name, "order": order}
        )
    for order, (code, name, category, default_retention) in enumerate(BUSINESS_ITEMS):
        BusinessItem.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "order": order,
                "category": categories[category],
                "default_retention": retention[default_retention],
            },
        )
    for model, rows in ((Classification, CLASSIFICATIONS), (Openness, OPENNESS)):
        for order, (code, name, is_default) in enumerate(rows):
            model.objects.get_or_create(
                code=code, defaults={"name": name, "order": order, "is_default": is_default}
            )
    fonds, _ = Fonds.objects.get_or_create(code="Z001", defaults={"name": "区社会保险事业中心"})
    CatalogueSettings.objects.get_or_create(pk=1, defaults={"default_fonds": fonds})


def ensure_after_migrate(**kwargs: object) -> None:
    ensure_office_vocabularies()
