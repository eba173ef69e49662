"""JSON API and streamed exports, with the same query and facet parameters as `/cables/`."""

import csv
import json
from itertools import chain, islice

from django.conf import settings
from django.core.paginator import InvalidPage
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404

from cables.lib.csv_cells import safe_row
from cables.lib.http_cache import archive_cached
from cables.lib.inert_json import INERT_JSON
from cables.lib.inert_json import json_response as _json
from cables.lib.rate_limits import rate_limited
from cables.models import Cable, Mention
from cables.search import exports_files, paragraph_export
from cables.search.budget import SearchTooBroad, time_budget, too_broad_headers
from cables.search.date_order import date_ordered_chunks
from cables.search.filtering import filtered_cables
from cables.search.forms import ExportForm, SearchForm
from cables.search.query import QuerySyntaxError
from cables.search.results import LISTED_FIELDS
from cables.search.service import search
from cables.search.snippet_text import snippet_fields

EXPORT_FIELDS = [
    "reference_id",
    "created",
    "released",
    "classification",
    "origin",
    "subject",
    "tags",
    "partial",
    "url",
]


def _iso(value):
    return value.isoformat() if value else None


def _error(message: str, status: int = 400) -> JsonResponse:
    return _json({"error": message}, status=status)


@rate_limited("api", "API_RATE")
@archive_cached
def cable_list(request):
    form = SearchForm(request.GET)
    if not form.is_valid():
        return _error(form.error_message())
    try:
        with time_budget(settings.SEARCH_TIME_BUDGET):
            return _cable_list(request, form)
    except SearchTooBroad as error:
        return too_broad_headers(_error(str(error), status=503))


def _cable_list(request, form):
    try:
        results = search(
            form.cleaned_data["q"],
            request.GET,
            form.cleaned_data["sort"],
            form.cleaned_data["page"],
        )
    except QuerySyntaxError as error:
        return _error(str(error))
    except InvalidPage as error:
        return _error(str(error), status=404)
    page = results.page
    return _json(
        {
            "count": results.total,
            # Always true: every count is exact (kept for clients that read it).
            "count_exact": True,
            "page": page.number,
            "num_pages": page.paginator.num_pages,
            "sort": results.sort,
            "next": _page_url(request, page.next_page_number()) if page.has_next() else None,
            "previous": _page_url(request, page.previous_page_number())
            if page.has_previous()
            else None,
            "results": [
                {
                    "reference_id": hit.cable.reference_id,
                    "created": _iso(hit.cable.created),
                    "released": _iso(hit.cable.released),
                    "classification": hit.cable.classification,
                    "origin": hit.cable.origin,
                    "subject": hit.cable.subject,
                    "tags": [tag.code for tag in hit.tags],
                    "partial": hit.cable.partial,
                    "url": request.build_absolute_uri(hit.cable.get_absolute_url()),
                    "paragraphs": [
                        {
                            "number": para.number,
                            "snippet": str(para.snippet),
                            **snippet_fields(para.snippet),
                            "url": request.build_absolute_uri(
                                f"{hit.cable.get_absolute_url()}#par{para.number}"
                            ),
                        }
                        for para in hit.paragraphs
                    ],
                }
                for hit in page
            ],
            "facets": {
                facet.name: [{"value": i.value, "count": i.count} for i in facet.items]
                for facet in results.facets
            },
            # Always empty: no facet count is an estimate (kept for clients that read it).
            "facets_estimated": [],
        }
    )


def _page_url(request, number: int) -> str:
    params = request.GET.copy()
    params["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def cable_record(cable: Cable, request) -> dict:
    """The cable in the `parse_cables` schema (ParsedCable.to_json), plus permalinks and mentions."""
    permalink = request.build_absolute_uri(cable.get_absolute_url())
    mentions: dict[int, list] = {}
    for mention in (
        Mention.objects.visible()
        .filter(cable=cable)
        .select_related("person", "party", "election")
        .order_by("paragraph_id", "start")
    ):
        entity = mention.entity
        kind = "person" if mention.person_id else "party" if mention.party_id else "election"
        mentions.setdefault(mention.paragraph_id, []).append(
            {
                "type": kind,
                "name": entity.name,
                "slug": entity.slug,
                "url": request.build_absolute_uri(entity.get_absolute_url()),
                "text": mention.matched_text,
                "start": mention.start,
                "end": mention.end,
                "status": mention.status,
            }
        )
    source = next((s for s in cable.sources.all() if s.is_primary), None) or next(
        iter(cable.sources.all()), None
    )
    return {
        "reference_id": cable.reference_id,
        "created": _iso(cable.created),
        # As the release published it; `created` is corrected from the date-time group.
        "created_published": _iso(cable.created_published),
        "released": _iso(cable.released),
        "classification": cable.classification,
        "origin": cable.origin,
        "subject": cable.subject,
        "tags": [tag.code for tag in cable.tags.all()],
        "references": [ref.reference_id for ref in cable.references.all()],
        "signers": list(cable.signers),
        "classified_by": cable.classified_by,
        "classification_reasons": list(cable.classification_reasons),
        "declassify_on": _iso(cable.declassify_on),
        "transmission_id": cable.transmission_id,
        "precedence": cable.precedence,
        "to": list(cable.routing_to),
        "info": list(cable.routing_info),
        "partial": cable.partial,
        "summary": cable.summary,
        "paragraphs": [
            {
                "number": para.number,
                "classification": para.classification,
                "heading": para.heading,
                "text": para.text,
                "permalink": f"{permalink}#{para.anchor}",
                "mentions": mentions.get(para.id, []),
            }
            for para in cable.paragraphs.all()
        ],
        "warnings": list(cable.warnings),
        "source": {"path": source.path, "format": source.format, "row": source.row}
        if source
        else None,
        "url": permalink,
    }


@rate_limited("api", "API_RATE")
@archive_cached
def cable_detail(request, reference_id):
    cable = get_object_or_404(
        Cable.objects.prefetch_related("tags", "paragraphs", "references", "sources"),
        reference_id=reference_id,
    )
    return _json(cable_record(cable, request))


# Cables an export reads per query (see `date_ordered_chunks`).
EXPORT_CHUNK = 500


def _export_chunks(query: str, sort: str, filter_data):
    """Cables of the whole result set in lists of 500, newest first unless sorted by date (not
    by relevance): the dated ones off the date index, then the undated ones, each list read
    by a query of its own."""
    _, _, _, cables = filtered_cables(query, filter_data, listed_by_rank_index=True)
    cables = cables.only(*LISTED_FIELDS).prefetch_related("tags")
    return date_ordered_chunks(cables, paragraph_export.export_sort(sort), EXPORT_CHUNK)


def _export_rows(request, chunks):
    """Rows streamed in chunks of 500 cables: the result set is never all in memory."""
    base = request.build_absolute_uri("/")[:-1]
    for cable in chain.from_iterable(chunks):
        yield {
            "reference_id": cable.reference_id,
            "created": _iso(cable.created),
            "released": _iso(cable.released),
            "classification": cable.classification,
            "origin": cable.origin,
            "subject": cable.subject,
            "tags": [tag.code for tag in cable.tags.all()],
            "partial": cable.partial,
            "url": base + cable.get_absolute_url(),
        }


class _Echo:
    def write(self, value):
        return value


def _budgeted_rows(request, form):
    """The export's rows: the search and the first rows within the search time budget, then
    each database step of the stream within it (a large result set may stream for long, but
    no single query of it holds the worker past the budget)."""
    with time_budget(settings.SEARCH_TIME_BUDGET) as budget:
        if form.cleaned_data["rows"] == "paragraphs":
            rows = paragraph_export.paragraph_rows(
                request.build_absolute_uri("/")[:-1],
                form.cleaned_data["q"],
                form.cleaned_data["sort"],
                request.GET,
                EXPORT_CHUNK,
            )
        else:
            cables = _export_chunks(form.cleaned_data["q"], form.cleaned_data["sort"], request.GET)
            rows = _export_rows(request, cables)
        first = next(rows, None)
        if first is None:
            return
        budget.per_statement = True
        yield first
        yield from rows


def _export_response(request, render_rows, content_type, filename):
    """Stream an export. A bad parameter is answered before anything is streamed; the search
    and the first rows run before the response starts, so a syntax error or a query too broad
    is answered with its status, never a truncated file."""
    form = ExportForm(request.GET)
    if not form.is_valid():
        return _error(form.error_message())
    # Written once per archive version and served with Content-Length and byte ranges, or
    # streamed in one of a few slots per process (cables/search/exports_files.py).
    stored, path, version = exports_files.stored_file(request, filename)
    if stored:
        return exports_files.file_response(request, stored, content_type, filename)
    if not exports_files.slots.take():
        return exports_files.busy()
    rows = _budgeted_rows(request, form)
    try:
        first = list(islice(rows, 1))
    except QuerySyntaxError as error:
        exports_files.slots.give_back()
        return _error(str(error))
    except SearchTooBroad as error:
        exports_files.slots.give_back()
        return too_broad_headers(_error(str(error), status=503))
    except BaseException:
        exports_files.slots.give_back()
        raise
    body = exports_files.KeptStream(render_rows(chain(first, rows)), path, version)
    response = StreamingHttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@rate_limited("export", "EXPORT_RATE")
@archive_cached
def export_csv(request):
    writer = csv.writer(_Echo())

    def lines(rows):
        yield writer.writerow(EXPORT_FIELDS)
        for row in rows:
            row["tags"] = " ".join(row["tags"])
            yield writer.writerow(safe_row(row[name] for name in EXPORT_FIELDS))

    if request.GET.get("rows") == "paragraphs":
        lines = paragraph_export.csv_lines
        return _export_response(request, lines, "text/csv; charset=utf-8", "paragraphs.csv")
    return _export_response(request, lines, "text/csv; charset=utf-8", "cables.csv")


@rate_limited("export", "EXPORT_RATE")
@archive_cached
def export_json(request):
    def chunks(rows):
        yield "[\n"
        for index, row in enumerate(rows):
            yield (
                ("," if index else "")
                + json.dumps(row, ensure_ascii=False).translate(INERT_JSON)
                + "\n"
            )
        yield "]\n"

    if request.GET.get("rows") == "paragraphs":
        return _export_response(request, chunks, "application/json", "paragraphs.json")
    return _export_response(request, chunks, "application/json", "cables.json")
