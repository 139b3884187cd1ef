"""Importing a spreadsheet saved as CSV, with a preview: every row is checked first and shown with its
own errors; confirming imports the rows without errors. Each app supplies how to read one row (its
form) and which service imports the rows, so the preview works the same for menu, ingredients and
recipes."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import DomainError, DomainErrors

MAX_BYTES = 1_000_000
MAX_ROWS = 2_000


@dataclass
class Row:
    line: int  # the line number in the file, counting the header as line 1
    raw: dict
    values: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


class CsvForm(forms.Form):
    """Step one uploads the file; step two sends its text back (hidden) with `confirm`."""

    csv_file = forms.FileField(label=gettext_lazy("CSV file"), required=False)
    csv_text = forms.CharField(widget=forms.HiddenInput, required=False)

    def text(self) -> str:
        upload = self.cleaned_data.get("csv_file")
        if upload is None:
            return self.cleaned_data.get("csv_text") or ""
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        data = upload.read()
        for encoding in ("utf-8-sig", "gb18030", "cp1252"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError(_("The file is not text (save the spreadsheet as CSV)."))


def read_rows(text: str, *, columns: list[str], required: list[str], row_form: type[forms.Form]) -> list[Row]:
    """Every row of `text`, validated by `row_form` (its cleaned_data become the row's values)."""
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in required if name not in header]
    if missing:
        raise forms.ValidationError(
            _("The first line must name the columns; missing: %(missing)s. Expected: %(columns)s.")
            % {"missing": ", ".join(missing), "columns": ", ".join(columns)}
        )
    reader.fieldnames = header
    rows = []
    for number, record in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            raise forms.ValidationError(_("At most %(n)d rows at a time.") % {"n": MAX_ROWS})
        raw = {name: (record.get(name) or "").strip() for name in columns}
        if not any(raw.values()):
            continue
        form = row_form(raw)
        row = Row(line=number, raw=raw)
        if form.is_valid():
            row.values = form.cleaned_data
        else:
            row.errors = [
                f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
                for name, messages in form.errors.items()
            ]
        rows.append(row)
    if not rows:
        raise forms.ValidationError(_("The file has no rows under its header."))
    return rows


def preview_or_import(
    request,
    *,
    columns: list[str],
    required: list[str],
    row_form: Callable[..., forms.Form],
    import_rows: Callable[[list[dict]], int],
) -> tuple[dict, int | None]:
    """Handles a POST of the CSV form. Returns (context for the preview, number imported or None)."""
    form = CsvForm(request.POST, request.FILES)
    context = {"csv_form": form, "csv_columns": columns}
    if not form.is_valid():
        return context, None
    try:
        text = form.text()
        rows = read_rows(text, columns=columns, required=required, row_form=row_form)
    except forms.ValidationError as error:
        form.add_error(None, error)
        return context, None
    good = [row for row in rows if not row.errors]
    if "confirm" in request.POST and good:
        return context, import_rows([row.values for row in good])
    context.update(
        csv_rows=rows,
        csv_good=len(good),
        csv_bad=len(rows) - len(good),
        csv_form=CsvForm(initial={"csv_text": text}),
    )
    return context, None


def csv_step(
    request,
    *,
    columns: list[str],
    required: list[str],
    row_form: Callable[..., forms.Form],
    import_rows: Callable[[list[dict]], int],
    done_message: str,
    back_to: str,
) -> HttpResponse | dict:
    """A set-up step's CSV POST: a redirect to `back_to` once imported (or refused by the service, with
    every refused row named), else the preview's context."""
    try:
        preview, imported = preview_or_import(
            request, columns=columns, required=required, row_form=row_form, import_rows=import_rows
        )
    except (DomainError, DomainErrors) as error:
        for e in error.errors if isinstance(error, DomainErrors) else [error]:
            messages.error(request, f"{e.field}: {e.message}")
        return redirect(back_to)
    if imported is not None:
        messages.success(request, done_message % {"n": imported})
        return redirect(back_to)
    return preview
