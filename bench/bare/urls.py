"""One view, as small as a Django response gets."""

from django.http import HttpResponse
from django.urls import path


def bare(request):
    return HttpResponse("bare", content_type="text/plain")


urlpatterns = [path("", bare, name="bare")]
