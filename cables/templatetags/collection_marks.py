"""`{% saved_marks cable as marks %}` and `marks|saved_in:number`: the paragraphs of this cable
the signed-in reader has saved, and in which collections."""

from django import template

from cables.collections.marks import saved_paragraphs

register = template.Library()


@register.simple_tag(takes_context=True)
def saved_marks(context, cable) -> dict[int, list[str]]:
    request = context.get("request")
    return saved_paragraphs(getattr(request, "user", None), cable.reference_id)


@register.filter
def saved_in(marks, number) -> list[str]:
    return (marks or {}).get(number, [])
