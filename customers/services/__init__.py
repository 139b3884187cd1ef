"""Writes for customers, one module per area; every public name is importable from here. Every
function is keyword-only and called alike by pages, the API, tasks and tests.

`members`: joining, consent, unsubscribing, linking checks, erasure. `feedback`: ratings, complaints and
their facts. `scores`: the nightly analyses' upserts. `message_rules`: the rules messaging runs.

PII (phone, e-mail, name, birthday, feedback text) is never logged, never put in an error message
and never written to the audit trail: those carry the customer's id."""

from .feedback import (
    COMPLAINT_MAX_RATING,
    FEEDBACK_MAX_AGE,
    FEEDBACK_SALT,
    MAX_TEXT,
    check_from_token,
    complaint_log,
    feedback_leave,
    feedback_record_facts,
    feedback_token,
)
from .members import (
    STOP_WORDS,
    UNSUBSCRIBE_SALT,
    check_attach,
    consent_give,
    consent_withdraw,
    consent_wording,
    customer_erase,
    customer_join,
    customer_update,
    phone_parse,
    sms_inbound,
    unsubscribe,
    unsubscribe_customer,
    unsubscribe_token,
)
from .message_rules import MAX_HOLDOUT, MAX_TEMPLATE, RULE_FIELDS, message_rule_data, message_rule_save
from .scores import churn_rates_refresh, customers_analyse, customers_analyse_if_stale, scores_refresh

__all__ = [
    "COMPLAINT_MAX_RATING",
    "FEEDBACK_MAX_AGE",
    "FEEDBACK_SALT",
    "MAX_HOLDOUT",
    "MAX_TEMPLATE",
    "MAX_TEXT",
    "RULE_FIELDS",
    "STOP_WORDS",
    "UNSUBSCRIBE_SALT",
    "check_attach",
    "check_from_token",
    "churn_rates_refresh",
    "complaint_log",
    "consent_give",
    "consent_withdraw",
    "consent_wording",
    "customer_erase",
    "customer_join",
    "customer_update",
    "customers_analyse",
    "customers_analyse_if_stale",
    "feedback_leave",
    "feedback_record_facts",
    "feedback_token",
    "message_rule_data",
    "message_rule_save",
    "phone_parse",
    "scores_refresh",
    "sms_inbound",
    "unsubscribe",
    "unsubscribe_customer",
    "unsubscribe_token",
]
