"""Readers' accounts: sign in and out (django.contrib.auth, throttled by django-axes like the
admin's sign-in), and sign-up when settings.OPEN_REGISTRATION allows it."""

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import UserCreationForm
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect


class LoginView(auth_views.LoginView):
    """Django's sign-in: AuthenticationForm passes the request to authenticate(), so axes
    counts the failures and AxesMiddleware answers a locked-out pair with its 429 page."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(open_registration=settings.OPEN_REGISTRATION, **kwargs)


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, as Django requires)."""


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("collections:list")


@never_cache
@csrf_protect
def signup(request):
    if not settings.OPEN_REGISTRATION:
        raise Http404("Accounts are created by the archive's administrators.")
    if request.user.is_authenticated:
        return redirect(_next(request))
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(_next(request))
    return render(
        request,
        "registration/signup.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
        status=400 if form.errors else 200,
    )


def lockout(request, original_response=None, credentials=None):
    """django-axes' lockout page (AXES_LOCKOUT_CALLABLE), in the look of where the sign-in was:
    the admin's page for the admin, the reading room's for readers. Same wording, same 429."""
    admin = request.path.startswith(reverse("admin:index"))
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
        "cooloff_timedelta": get_cool_off(request),
    }
    template = settings.AXES_LOCKOUT_TEMPLATE if admin else "registration/locked_out.html"
    return render(request, template, context, status=429)
