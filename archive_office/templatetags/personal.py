"""`{{ person.citizen_id|citizen_id_for:request.user }}`: the full number only for those who need it."""

from django import template

from archive_office.lib.personal import mask_citizen_id

register = template.Library()


@register.filter
def citizen_id_for(number: str, user: object) -> str:
    if getattr(user, "sees_full_citizen_ids", False):
        return number
    return mask_citizen_id(number)
