"""Django's floor for `make bench`: what `django-admin startproject` gives, serving one
view that returns an HttpResponse.

Every page's throughput is reported as a ratio to this app, served by a second gunicorn
with the same flags as the site, so a ratio says what a page costs on top of Django
itself — not on top of our own middleware (the site's `/__bench__/bare/` is measured
as a separate reference row for that).
"""
