"""Maps one owns: creating a map, its settings, and who has which role on it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from argmap import history
from argmap.access import access_for
from argmap.forms.maps import MapSettingsForm, NewMapForm
from argmap.forms.members import InviteForm, RoleForm
from argmap.models import Action, Map, Membership, Role
from argmap.permissions import map_and_access, require


def owned_map(request, code: str) -> Map:
    """The map with this code if the requester owns it: 404 if they may not see it, 403 if they may only look."""
    map_, access = map_and_access(request, code)
    require(access.is_owner, "Only the owners of this map may change its settings and members.")
    if request.method == "POST":
        require(access.can_manage)  # a closed exercise's map is read-only: the refusal says since when
    return map_


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def new_map(request):
    form = NewMapForm(request.POST if request.method == "POST" else None, label_suffix="")
    if form.is_valid():
        map_ = form.save(commit=False)
        map_.owner = request.user
        map_.save()
        return redirect(map_.get_absolute_url())
    return render(request, "maps/new.html", {"form": form}, status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def map_settings(request, code: str):
    map_ = owned_map(request, code)
    # The form gets its own copy: a rejected title must not show up in the page header.
    editable = Map.objects.get(pk=map_.pk)
    form = MapSettingsForm(request.POST if request.method == "POST" else None, instance=editable, label_suffix="")
    if form.is_valid():
        form.save(commit=False).save(update_fields=[*form.Meta.fields, "updated_at"])
        messages.success(request, "Settings saved.")
        return redirect("map-settings", code=map_.code)
    status = 400 if form.is_bound else 200
    return render(request, "maps/settings.html", {"map": map_, "form": form}, status=status)


# Members


def members_page(request, map_: Map, invite_form: InviteForm | None = None, error: str = "", status: int = 200):
    memberships = (
        Membership.objects.filter(map=map_).exclude(user_id=map_.owner_id)
        .select_related("user").order_by("user__username")
    )
    context = {
        "map": map_,
        "memberships": memberships,
        "invite_form": invite_form or InviteForm(map_=map_, inviter=request.user),
        "roles": Role.choices,
        "error": error,
    }
    return render(request, "maps/members.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def members(request, code: str):
    """The list of roles; a POST invites someone."""
    map_ = owned_map(request, code)
    if request.method != "POST":
        return members_page(request, map_)
    form = InviteForm(request.POST, map_=map_, inviter=request.user)
    if not form.is_valid():
        return members_page(request, map_, invite_form=form, status=400)
    user, role = form.cleaned_data["username"], form.cleaned_data["role"]
    try:
        with transaction.atomic():
            membership = Membership.objects.create(map=map_, user=user, role=role, added_by=request.user)
            history.record(map_, request.user, Action.CREATE, membership)
    except IntegrityError:  # invited by another owner a moment ago
        form.add_error("username", f"{user.get_username()} already has a role on this map.")
        return members_page(request, map_, invite_form=form, status=409)
    messages.success(request, f"{user.get_username()} is now {membership.get_role_display().lower()} on this map.")
    return redirect("map-members", code=map_.code)


def _membership(map_: Map, membership_id: int) -> Membership:
    # Looked up within the map: an id from another map is simply not found.
    return get_object_or_404(Membership.objects.select_related("user"), pk=membership_id, map=map_)


def _leaves_no_owner(map_: Map, membership: Membership) -> bool:
    """True if taking this owner's role away would leave the map with no one to manage it."""
    if map_.owner_id is not None or membership.role != Role.OWNER:
        return False
    return not Membership.objects.filter(map=map_, role=Role.OWNER).exclude(pk=membership.pk).exists()


def _after_change(request, map_: Map, message: str):
    """Back to the members page, or away if the requester just gave up their own ownership."""
    access = access_for(map_, request.user)
    if access.is_owner:
        messages.success(request, message)
        return redirect("map-members", code=map_.code)
    # Only the members and settings pages show messages: none is left waiting for a later visit.
    return redirect(map_.get_absolute_url() if access.can_view else reverse("map-list"))


@login_required
@require_POST
def change_role(request, code: str, membership_id: int):
    map_ = owned_map(request, code)
    membership = _membership(map_, membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return members_page(request, map_, error="Choose one of the roles in the list.", status=400)
    new_role = form.cleaned_data["role"]
    name = membership.user.get_username()
    if membership.user_id == map_.owner_id:
        return members_page(request, map_, error=f"{name} owns this map: their role cannot change.", status=400)
    if new_role != Role.OWNER and _leaves_no_owner(map_, membership):
        return members_page(request, map_, error=f"{name} is the map's only owner: make someone else owner first.",
                            status=409)
    if new_role != membership.role:
        with transaction.atomic():
            before = history.snapshot(membership)
            membership.role = new_role
            membership.save(update_fields=["role"])
            history.record(map_, request.user, Action.EDIT, membership, before=before)
    return _after_change(request, map_, f"{name} is now {membership.get_role_display().lower()} on this map.")


@login_required
@require_POST
def remove_member(request, code: str, membership_id: int):
    map_ = owned_map(request, code)
    membership = _membership(map_, membership_id)
    name = membership.user.get_username()
    if membership.user_id == map_.owner_id:
        return members_page(request, map_, error=f"{name} owns this map and cannot be removed.", status=400)
    if _leaves_no_owner(map_, membership):
        return members_page(request, map_, error=f"{name} is the map's only owner: make someone else owner first.",
                            status=409)
    with transaction.atomic():
        # Memberships are deleted outright; the history keeps who had which role.
        history.record(map_, request.user, Action.DELETE, membership,
                       before=history.snapshot(membership), after={"user": name, "role": None})
        membership.delete()
    return _after_change(request, map_, f"{name} no longer has a role on this map.")


urlpatterns = [
    path("maps/new/", new_map, name="map-new"),
    path("maps/<slug:code>/settings/", map_settings, name="map-settings"),
    path("maps/<slug:code>/members/", members, name="map-members"),
    path("maps/<slug:code>/members/<int:membership_id>/role/", change_role, name="member-role"),
    path("maps/<slug:code>/members/<int:membership_id>/remove/", remove_member, name="member-remove"),
]
