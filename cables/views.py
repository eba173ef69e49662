from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from .models import Cable


def home(request):
    return HttpResponse(f"Cable archive: {Cable.objects.count()} cables.")


def cable_detail(request, reference_id):
    cable = get_object_or_404(Cable, reference_id=reference_id)
    return HttpResponse(cable.subject)
