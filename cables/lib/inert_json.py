"""JSON that stays inert where it is read as HTML, and the JSON responses built with it."""

from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse

# <, > and & as JSON escapes: the same strings once parsed, but markup from a cable or a query
# stays inert even where a response is read as HTML (a sniffing client, a proxy's error page).
INERT_JSON = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


class InertJSONEncoder(DjangoJSONEncoder):
    def encode(self, o):
        return super().encode(o).translate(INERT_JSON)


def json_response(data, status: int = 200) -> JsonResponse:
    return JsonResponse(
        data, status=status, encoder=InertJSONEncoder, json_dumps_params={"ensure_ascii": False}
    )
