"""A map's sources, for its owners: their details, a new text, attaching one, marking page clutter."""

from django import forms
from django.core.exceptions import ValidationError

from argmap import anchoring, sourcefiles
from argmap.models import MapSource

MAX_CLUTTER_TEXT = 20_000
MAX_CLUTTER_AT_ONCE = 200  # "mark every occurrence" of a short passage could otherwise make thousands


class SourceDetailsForm(forms.ModelForm):
    """This map's details of a source; `is_public` is the shared text's, so it is saved on the Source."""

    notes = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_public = forms.BooleanField(label="Public: owners of other maps may find and attach this source",
                                   required=False)

    class Meta:
        model = MapSource
        fields = ["title", "author", "publisher", "published_on", "url", "rights", "notes"]
        labels = {
            "published_on": "Publication date",
            "url": "Address (URL) of the original",
            "rights": "Rights",
        }
        widgets = {"published_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


def details_form(link: MapSource | None, user, data=None, files=None, form_class=SourceDetailsForm, **kwargs):
    """The details form; only the person who added a source (or anyone, for a new one) sees `is_public`."""
    form = form_class(data, files, instance=link, **kwargs)
    if link is not None and link.source.added_by_id != user.pk:
        del form.fields["is_public"]
    else:
        form.fields["is_public"].label_suffix = ""  # a checkbox's label follows it
        if link is not None:
            form.fields["is_public"].initial = link.source.is_public
    return form


class NewSourceForm(SourceDetailsForm):
    text = forms.CharField(
        label="Paste the text",
        required=False,
        strip=False,  # stored verbatim: no trimming
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Exactly as published: quotes will point into it character by character.",
    )
    file = forms.FileField(
        label="Or upload a file",
        required=False,
        max_length=255,
        help_text=f".txt or .md (UTF-8) or .html (we keep the article and drop menus and footers); "
        f"at most {sourcefiles.MAX_UPLOAD_BYTES // 1024 // 1024} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.md,.html,.htm,text/plain,text/markdown,text/html"}),
    )

    field_order = ["text", "file"]

    def clean(self):
        cleaned = super().clean()
        text, upload = cleaned.get("text") or "", cleaned.get("file")
        if self.errors.get("text") or self.errors.get("file"):
            return cleaned
        if text.strip() and upload:
            raise ValidationError("Paste the text or upload a file, not both.")
        try:
            if upload:
                if upload.size > sourcefiles.MAX_UPLOAD_BYTES:  # before reading it into memory
                    raise sourcefiles.SourceFileError(
                        f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is "
                        f"{sourcefiles.MAX_UPLOAD_BYTES // 1024 // 1024} MB."
                    )
                self.extracted = sourcefiles.read_upload(upload.name, upload.read())
            elif text:
                text = sourcefiles.pasted_text(text)
                sourcefiles.check_text(text)
                self.extracted = sourcefiles.Extracted(text=text)
            else:
                raise ValidationError("Paste the text of the source or choose a file to upload.")
        except sourcefiles.SourceFileError as error:
            self.add_error("file" if upload else "text", str(error))
        return cleaned


class SourceTextForm(forms.Form):
    text = forms.CharField(label="Text", strip=False, widget=forms.Textarea(attrs={"rows": 14}))

    def clean_text(self) -> str:
        text = sourcefiles.pasted_text(self.cleaned_data["text"])
        try:
            sourcefiles.check_text(text)
        except sourcefiles.SourceFileError as error:
            raise ValidationError(str(error)) from error
        return text


class AttachForm(forms.Form):
    source = forms.CharField(max_length=16)


class ClutterTextForm(forms.Form):
    exact = forms.CharField(
        label="Passage that is clutter",
        strip=False,
        max_length=MAX_CLUTTER_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Paste it exactly as it appears in the text (a menu, a subscription box, a caption).",
    )
    label = forms.CharField(label="Label (optional)", max_length=100, required=False,
                            help_text="e.g. “site menu”")
    occurrence = forms.CharField(required=False, max_length=20)

    def __init__(self, *args, source_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.source_text = source_text
        self.choices: list[tuple[int, str, str, str]] = []  # (start, before, passage, after) to choose from
        self.occurrence_count = 0

    def clean(self):
        cleaned = super().clean()
        exact = cleaned.get("exact")
        if not exact:
            return cleaned
        # The browser sent CRLF line breaks; the text has LF, unless it was uploaded with CRLF.
        starts = []
        for candidate in dict.fromkeys([sourcefiles.pasted_text(exact), exact]):
            starts = anchoring.occurrences(self.source_text, candidate)
            if starts:
                cleaned["exact"] = exact = candidate
                break
        if not starts:
            raise ValidationError({"exact": "That passage is not in the source: paste it exactly as the text has it."})
        occurrence = cleaned.get("occurrence") or ""
        if len(starts) == 1:
            cleaned["starts"] = starts
        elif occurrence == "all":
            if len(starts) > MAX_CLUTTER_AT_ONCE:
                raise ValidationError({"exact": f"That passage occurs {len(starts)} times: mark a longer passage "
                                                f"(at most {MAX_CLUTTER_AT_ONCE} at once)."})
            cleaned["starts"] = starts
        elif occurrence.isdigit() and int(occurrence) in starts:
            cleaned["starts"] = [int(occurrence)]
        elif occurrence:
            raise ValidationError({"occurrence": "Choose one of the places listed, or all of them."})
        else:
            cleaned["starts"] = None  # the owner must choose
            width = anchoring.CONTEXT_LENGTH
            self.choices = [
                (at, self.source_text[max(0, at - width) : at], exact, self.source_text[at + len(exact) : at + len(exact) + width])
                for at in starts[:50]
            ]
            self.occurrence_count = len(starts)
        return cleaned


class ClutterOffsetsForm(forms.Form):
    start = forms.IntegerField(label="From character", min_value=0, max_value=10**9)
    end = forms.IntegerField(label="To character (not included)", min_value=1, max_value=10**9)
    label = forms.CharField(label="Label (optional)", max_length=100, required=False)

    def __init__(self, *args, text_length: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.text_length = text_length
        self.fields["start"].help_text = f"Counted in characters from 0; the text has {text_length}."

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is not None and end is not None:
            if end > self.text_length:
                raise ValidationError({"end": f"The text has only {self.text_length} characters."})
            if start >= end:
                raise ValidationError({"end": "The end must come after the start."})
            cleaned["starts"] = [start]
        return cleaned
