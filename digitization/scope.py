"""The contract's default scope (DOMAIN §1): files kept 30 years or more, plus shorter-kept benefit files."""

from records.models import BusinessCategory, RetentionPeriod

from .models import ScopeRule

SHORT_RETENTION_IN_SCOPE = {"DY"}  # benefit (待遇类) files are digitized whatever their retention


def default_in_scope(category: BusinessCategory, retention: RetentionPeriod) -> bool:
    return retention.years is None or retention.years >= 30 or category.code in SHORT_RETENTION_IN_SCOPE


def ensure_scope_rules() -> None:
    """Give a fresh install the default rules; rules the administrator changed are left alone."""
    if ScopeRule.objects.exists():
        return
    ScopeRule.objects.bulk_create(
        ScopeRule(
            business_category=category, retention=retention, in_scope=default_in_scope(category, retention)
        )
        for category in BusinessCategory.objects.all()
        for retention in RetentionPeriod.objects.all()
    )


def ensure_after_migrate(**kwargs: object) -> None:
    ensure_scope_rules()
