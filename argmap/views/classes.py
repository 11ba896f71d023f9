"""Classes: the list of one's classes, a new class, a class's page (for its teachers: the join code,
students, co-teachers, accounts for a list of names, its name and time zone), joining with a code,
the printable sheet of one-time passwords."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from argmap.classroom import accounts
from argmap.forms.classes import BulkAddForm, ClassSettingsForm, CoTeacherForm, JoinForm, JoiningForm, NewClassForm
from argmap.models import AccountSetup, ClassRole, Enrolment, SchoolClass
from argmap.permissions import class_and_access, require

SHEET_SESSION_KEY = "argmap_class_sheet_{}"  # per class: the accounts whose passwords the sheet shows once


# Forms


def _bound(form_class, request, **kwargs):
    return form_class(request.POST, label_suffix="", **kwargs)


# Access


def class_for_teacher(request, class_id: int):
    """The class, if the requester teaches it: 404 if they are not in it, 403 for its students."""
    school_class, access = class_and_access(request, class_id)
    require(access.is_teacher, "Only the class's teachers may do that.")
    return school_class, access


def enrolled(school_class: SchoolClass, user_id: int, role: str):
    """A student (or teacher, by `role`) of this class; 404 for anyone else (a co-teacher asked for
    as a student, another class's student)."""
    enrolment = (
        Enrolment.objects.select_related("user").filter(school_class=school_class, user_id=user_id, role=role).first()
    )
    if enrolment is None:
        raise Http404(f"No such {ClassRole(role).label.lower()} in this class.")
    return enrolment.user


# Pages


@login_required
@require_safe
def class_list(request):
    teaching, learning = accounts.classes_of(request.user)
    return render(request, "classes/class_list.html", {"teaching": teaching, "learning": learning})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def class_new(request):
    form = NewClassForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            data = form.cleaned_data
            school_class = accounts.create_class(data["name"], data["time_zone"], request.user)
        except accounts.ClassroomError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Class “{school_class.name}” created. Students join with the code below.")
            return redirect("class-detail", class_id=school_class.pk)
    return render(request, "classes/class_new.html", {"form": form}, status=400 if form.is_bound else 200)


def _joining_form(school_class: SchoolClass) -> JoiningForm:
    expires = school_class.join_code_expires_at
    local = timezone.localtime(expires, school_class.zone).replace(tzinfo=None) if expires else None
    return JoiningForm(initial={"open": school_class.joining_open, "expires_at": local}, label_suffix="")


def teacher_page(request, school_class: SchoolClass, *, status: int = 200, error: str = "",
                 bulk_form=None, teacher_form=None, joining_form=None, settings_form=None):
    """The class page as its teachers see it, with any form that came back with errors."""
    must_set = AccountSetup.objects.filter(user=OuterRef("user_id"), must_set_password=True)
    people = list(
        Enrolment.objects.filter(school_class=school_class)
        .select_related("user")
        .annotate(must_set_password=Exists(must_set), resettable=accounts.resettable_in(school_class))
        .order_by("user__username")
    )
    context = {
        "school_class": school_class,
        "is_teacher": True,
        "teachers": [e.user for e in people if e.role == ClassRole.TEACHER],
        "students": [e for e in people if e.role == ClassRole.STUDENT],
        "exercises": school_class.exercises.all(),
        "join_url": request.build_absolute_uri(reverse("class-join-code", args=[school_class.join_code])),
        "code_usable": school_class.join_code_usable(),
        "error": error,
        "bulk_form": bulk_form or BulkAddForm(label_suffix=""),
        "teacher_form": teacher_form or CoTeacherForm(label_suffix=""),
        "joining_form": joining_form or _joining_form(school_class),
        "settings_form": settings_form or ClassSettingsForm(
            initial={"name": school_class.name, "time_zone": school_class.time_zone}),
    }
    return render(request, "classes/class_detail.html", context, status=status)


def student_page(request, school_class: SchoolClass):
    teachers = (
        get_user_model().objects.filter(enrolments__school_class=school_class, enrolments__role=ClassRole.TEACHER)
        .order_by("username")
    )
    context = {"school_class": school_class, "is_teacher": False, "teachers": teachers,
               "exercises": school_class.exercises.all()}
    return render(request, "classes/class_detail.html", context)


@login_required
@require_safe
def class_detail(request, class_id: int):
    school_class, access = class_and_access(request, class_id)
    if access.is_teacher:
        return teacher_page(request, school_class)
    return student_page(request, school_class)


# Teachers' actions


def _keep_for_sheet(request, school_class: SchoolClass, new_accounts) -> None:
    # In the session only, until the sheet shows them once: never in the database in clear.
    request.session[SHEET_SESSION_KEY.format(school_class.pk)] = [
        [a.name, a.username, a.password] for a in new_accounts
    ]


@login_required
@require_POST
def class_students_add(request, class_id: int):
    school_class, _ = class_for_teacher(request, class_id)
    form = _bound(BulkAddForm, request)
    if form.is_valid():
        try:
            new_accounts = accounts.bulk_create_students(school_class, form.cleaned_data["names"], request.user)
        except accounts.ClassroomError as error:
            form.add_error("names", error.message)
        else:
            _keep_for_sheet(request, school_class, new_accounts)
            return redirect("class-sheet", class_id=school_class.pk)
    return teacher_page(request, school_class, bulk_form=form, status=400)


@never_cache
@login_required
@require_safe
def class_sheet(request, class_id: int):
    """The one-time passwords just handed out, once: they leave the session as the sheet is shown."""
    school_class, _ = class_for_teacher(request, class_id)
    rows = request.session.pop(SHEET_SESSION_KEY.format(school_class.pk), [])
    sheet = [accounts.NewAccount(*row) for row in rows]
    login_url = request.build_absolute_uri(reverse("login"))
    return render(request, "classes/class_sheet.html", {"school_class": school_class, "sheet": sheet,
                                                        "login_url": login_url})


@login_required
@require_POST
def class_student_reset(request, class_id: int, user_id: int):
    school_class, _ = class_for_teacher(request, class_id)
    student = enrolled(school_class, user_id, ClassRole.STUDENT)
    try:
        password = accounts.reset_password(student, request.user, school_class)
    except accounts.ClassroomError as error:
        return teacher_page(request, school_class, error=error.message, status=403)
    account = accounts.NewAccount(student.get_full_name(), student.get_username(), password)
    _keep_for_sheet(request, school_class, [account])
    return redirect("class-sheet", class_id=school_class.pk)


@login_required
@require_POST
def class_student_remove(request, class_id: int, user_id: int):
    school_class, _ = class_for_teacher(request, class_id)
    student = enrolled(school_class, user_id, ClassRole.STUDENT)
    accounts.remove_student(school_class, student, request.user)
    messages.success(request, f"{student.get_username()} is no longer in this class. What they wrote stays.")
    return redirect("class-detail", class_id=school_class.pk)


@login_required
@require_POST
def class_teacher_add(request, class_id: int):
    school_class, _ = class_for_teacher(request, class_id)
    form = _bound(CoTeacherForm, request)
    if form.is_valid():
        try:
            user = accounts.add_co_teacher(school_class, form.cleaned_data["username"], request.user)
        except accounts.ClassroomError as error:
            form.add_error("username", error.message)
            return teacher_page(request, school_class, teacher_form=form, status=error.status)
        messages.success(request, f"{user.get_username()} now teaches this class too.")
        return redirect("class-detail", class_id=school_class.pk)
    return teacher_page(request, school_class, teacher_form=form, status=400)


@login_required
@require_POST
def class_teacher_remove(request, class_id: int, user_id: int):
    """A teacher takes a co-teacher off the class, or leaves it themself; never its last teacher."""
    school_class, _ = class_for_teacher(request, class_id)
    teacher = enrolled(school_class, user_id, ClassRole.TEACHER)
    try:
        accounts.remove_teacher(school_class, teacher, request.user)
    except accounts.ClassroomError as error:
        return teacher_page(request, school_class, error=error.message, status=error.status)
    if teacher.pk == request.user.pk:
        messages.success(request, f"You left “{school_class.name}”. Its other teachers carry on.")
        return redirect("class-list")
    messages.success(request, f"{teacher.get_username()} no longer teaches this class. What they made stays.")
    return redirect("class-detail", class_id=school_class.pk)


@login_required
@require_POST
def class_settings(request, class_id: int):
    """Rename the class or change its time zone."""
    school_class, _ = class_for_teacher(request, class_id)
    form = ClassSettingsForm(request.POST)
    if form.is_valid():
        try:
            accounts.change_class_settings(school_class, name=form.cleaned_data["name"],
                                           time_zone=form.cleaned_data["time_zone"])
        except accounts.ClassroomError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Saved: “{school_class.name}”, times in {school_class.time_zone}.")
            return redirect("class-detail", class_id=school_class.pk)
    return teacher_page(request, school_class, settings_form=form, status=400)


@login_required
@require_POST
def class_joining(request, class_id: int):
    """Open or close joining with the code, with an optional time the code stops working."""
    school_class, _ = class_for_teacher(request, class_id)
    with timezone.override(school_class.zone):  # the form's times are the class's local times
        form = _bound(JoiningForm, request)
        valid = form.is_valid()
    if valid:
        try:
            accounts.set_joining(school_class, open_=form.cleaned_data["open"],
                                 expires_at=form.cleaned_data["expires_at"])
        except accounts.ClassroomError as error:
            form.add_error("expires_at", error.message)
        else:
            messages.success(request, "Students may join with the code." if school_class.joining_open
                             else "Joining is closed: the code does not let anyone in.")
            return redirect("class-detail", class_id=school_class.pk)
    return teacher_page(request, school_class, joining_form=form, status=400)


@login_required
@require_POST
def class_code_rotate(request, class_id: int):
    school_class, _ = class_for_teacher(request, class_id)
    try:
        code = accounts.rotate_join_code(school_class)
    except accounts.ClassroomError as error:
        return teacher_page(request, school_class, error=error.message, status=503)
    messages.success(request, f"The new code is {code}. The old code and its link no longer work.")
    return redirect("class-detail", class_id=school_class.pk)


# Joining


def _joined(request, school_class: SchoolClass):
    messages.success(request, f"You joined “{school_class.name}”.")
    return redirect("class-detail", class_id=school_class.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def class_join(request):
    """Join a class by typing its code."""
    form = JoinForm(request.POST if request.method == "POST" else None, label_suffix="")
    status = 200
    if form.is_valid():
        try:
            return _joined(request, accounts.join(form.cleaned_data["code"], request.user))
        except accounts.ClassroomError as error:
            form.add_error("code", error.message)
            status = error.status
    elif form.is_bound:
        status = 400
    return render(request, "classes/class_join.html", {"form": form}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def class_join_code(request, code: str):
    """The join link: signed in, a button to join; otherwise sign up or log in with the code."""
    code = accounts.normalise_code(code)
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?{urlencode({'code': code})}")
    context = {"code": code}
    if request.user.is_authenticated:
        # Someone already in the class follows the link again: say so, even once joining has closed.
        member_of = SchoolClass.objects.filter(join_code=code, enrolments__user=request.user).first()
        if member_of is not None:
            context.update(school_class=member_of, role=accounts.role_in(member_of, request.user))
            status = 409 if request.method == "POST" else 200
            return render(request, "classes/class_join_code.html", context, status=status)
    try:
        school_class = accounts.class_for_code(code)
    except accounts.ClassroomError as error:
        context["error"] = error.message
        return render(request, "classes/class_join_code.html", context, status=error.status)
    context["school_class"] = school_class
    if request.user.is_authenticated and request.method == "POST":
        try:
            return _joined(request, accounts.join(school_class, request.user))
        except accounts.ClassroomError as error:  # joined in another tab a moment ago
            context["error"] = error.message
            return render(request, "classes/class_join_code.html", context, status=error.status)
    return render(request, "classes/class_join_code.html", context)


urlpatterns = [
    path("classes/", class_list, name="class-list"),
    path("classes/new/", class_new, name="class-new"),
    path("classes/<int:class_id>/", class_detail, name="class-detail"),
    path("classes/<int:class_id>/students/add/", class_students_add, name="class-students-add"),
    path("classes/<int:class_id>/students/sheet/", class_sheet, name="class-sheet"),
    path("classes/<int:class_id>/students/<int:user_id>/reset/", class_student_reset, name="class-student-reset"),
    path("classes/<int:class_id>/students/<int:user_id>/remove/", class_student_remove, name="class-student-remove"),
    path("classes/<int:class_id>/teachers/add/", class_teacher_add, name="class-teacher-add"),
    path("classes/<int:class_id>/teachers/<int:user_id>/remove/", class_teacher_remove, name="class-teacher-remove"),
    path("classes/<int:class_id>/settings/", class_settings, name="class-settings"),
    path("classes/<int:class_id>/joining/", class_joining, name="class-joining"),
    path("classes/<int:class_id>/code/", class_code_rotate, name="class-code-rotate"),
    path("join/", class_join, name="class-join"),
    path("join/<str:code>/", class_join_code, name="class-join-code"),
]
