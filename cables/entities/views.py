from django.http import Http404


def person_detail(request, slug):
    raise Http404


def party_detail(request, slug):
    raise Http404


def election_detail(request, slug):
    raise Http404
