"""Page forms: parsing and validation of what a guest or staff member typed (services get typed values)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from orders.models import DiscountCode, MenuItem

from .models import Consent, Feedback, MessageRule


class JoinForm(forms.Form):
    phone = forms.CharField(label=_("Phone number"), max_length=32, required=False)
    code = forms.CharField(label=_("or membership code"), max_length=12, required=False)
    name = forms.CharField(label=_("Name (optional)"), max_length=120, required=False)
    marketing_sms = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("code"):
            raise forms.ValidationError(_("Give a phone number or a membership code."))
        return data


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        required=False,
        empty_value=None,
    )
    tags = forms.MultipleChoiceField(
        label=_("What went wrong?"),
        choices=Feedback.Tag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    menu_item = forms.IntegerField(label=_("Which dish?"), required=False)
    text = forms.CharField(
        label=_("Anything else?"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    occurred_at = forms.DateTimeField(label=_("When (for a complaint by phone)"), required=False)


class MessageRuleForm(forms.Form):
    """A message rule as the owner types it: a text per language, the holdout as a percentage."""

    name = forms.CharField(label=_("Name"), max_length=80)
    trigger = forms.ChoiceField(label=_("Sent when"), choices=MessageRule.Trigger.choices)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Consent.Channel.choices, widget=forms.RadioSelect, initial="sms"
    )
    template_en = forms.CharField(
        label=_("Text in English"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("{name} becomes the guest's name, {code} the coupon's code."),
    )
    template_zh = forms.CharField(
        label=_("Text in Chinese"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    subject_en = forms.CharField(label=_("E-mail subject in English"), max_length=150, required=False)
    subject_zh = forms.CharField(label=_("E-mail subject in Chinese"), max_length=150, required=False)
    coupon_kind = forms.ChoiceField(
        label=_("Coupon"),
        choices=[("", _("No coupon")), *DiscountCode.Kind.choices],
        required=False,
    )
    coupon_value = forms.DecimalField(
        label=_("Coupon value"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=9,
        decimal_places=2,
        help_text=_("Percent off, or the amount off."),
    )
    coupon_item = forms.TypedChoiceField(label=_("Free item"), required=False, coerce=int, empty_value=None)
    coupon_valid_days = forms.IntegerField(
        label=_("Coupon valid for (days)"), min_value=1, max_value=365, initial=30
    )
    quiet_from = forms.TimeField(
        label=_("Quiet from"), initial="21:00", widget=forms.TimeInput(attrs={"type": "time"})
    )
    quiet_until = forms.TimeField(
        label=_("Quiet until"), initial="09:00", widget=forms.TimeInput(attrs={"type": "time"})
    )
    cap_per_30_days = forms.IntegerField(
        label=_("At most per customer in 30 days"), min_value=1, max_value=30, initial=2
    )
    holdout_percent = forms.DecimalField(
        label=_("Held out (%)"),
        min_value=0,
        max_value=50,
        decimal_places=1,
        initial=10,
        help_text=_("These customers get nothing: the rule's effect is measured against them."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = {i.pk: i for i in MenuItem.objects.filter(store=store, is_active=True).order_by("name")}
        self.fields["coupon_item"].choices = [("", "—")] + [(pk, i.name) for pk, i in self.items.items()]

    @classmethod
    def initial_for(cls, rule: MessageRule) -> dict:
        return {
            "name": rule.name,
            "trigger": rule.trigger,
            "channel": rule.channel,
            "template_en": rule.templates.get("en", ""),
            "template_zh": rule.templates.get("zh-hans", ""),
            "subject_en": (rule.subjects or {}).get("en", ""),
            "subject_zh": (rule.subjects or {}).get("zh-hans", ""),
            "coupon_kind": rule.coupon_kind,
            "coupon_value": rule.coupon_value,
            "coupon_item": rule.coupon_item_id,
            "coupon_valid_days": rule.coupon_valid_days,
            "quiet_from": rule.quiet_from,
            "quiet_until": rule.quiet_until,
            "cap_per_30_days": rule.cap_per_30_days,
            "holdout_percent": rule.holdout_share * 100,
            "is_active": rule.is_active,
        }

    def rule_data(self) -> dict:
        """What `message_rule_save` takes."""
        d = self.cleaned_data
        return {
            "name": d["name"],
            "trigger": d["trigger"],
            "channel": d["channel"],
            "templates": {"en": d["template_en"], "zh-hans": d["template_zh"]},
            "subjects": {"en": d["subject_en"], "zh-hans": d["subject_zh"]},
            "coupon_kind": d["coupon_kind"],
            "coupon_value": d["coupon_value"],
            "coupon_item": self.items.get(d["coupon_item"]),
            "coupon_valid_days": d["coupon_valid_days"],
            "quiet_from": d["quiet_from"],
            "quiet_until": d["quiet_until"],
            "cap_per_30_days": d["cap_per_30_days"],
            "holdout_share": (d["holdout_percent"] / 100).quantize(Decimal("0.001")),
            "is_active": d["is_active"],
        }
