"""The bare view the signup benchmark compares the join against.

Mounted only when GROUNDSWELL_BENCH_VIEWS=1 (config/urls.py). It goes through the
same server, settings, database connection handling and full middleware stack as
the real join page, and does the least a signup could do: one INSERT, no form, no
business logic, no template. The table is not a Django model and has no
migration: bench/signup.py creates it in its own throwaway database:

    CREATE TABLE bench_baseline (
        id bigserial PRIMARY KEY,
        email text,
        created_at timestamptz DEFAULT now()
    )
"""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


@csrf_exempt
@require_POST
def insert(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_baseline (email) VALUES (%s)", [request.POST.get("email", "")])
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/insert", insert, name="bench_insert")]
