"""
The letters app's models, one module per subdomain: the letter and its text
(`letter`), sign-on (`signing`), what went out (`sending`), print batches
(`printing`) and follow-ups (`tracking`). Import them from here.
"""

from letters.models.importing import ImportSession
from letters.models.letter import (
    EnvelopeWindow,
    GreetingMode,
    GreetingPunctuation,
    Language,
    Letter,
    LetterAction,
    LetterQuerySet,
    LetterRecipient,
    LetterStatus,
    Organization,
    PaperSize,
    RecipientRole,
    Recommendation,
    RecommendationQuerySet,
    RecommendationStyle,
    Section,
    StatusRefused,
    SubjectPrefix,
    Theme,
)
from letters.models.printing import PrintBatch, PrintBatchStatus, PrintChunk
from letters.models.sending import PressRelease, Quote, SentCopy
from letters.models.signing import ApprovedText, Signatory, SignatoryRole, new_token
from letters.models.tracking import (
    DERIVED_STATUS_FIELDS,
    FollowUp,
    FollowUpKind,
    FollowUpSource,
    ImplementationStatus,
    ResponseStatus,
    derive_status,
)

__all__ = [
    "DERIVED_STATUS_FIELDS",
    "ApprovedText",
    "EnvelopeWindow",
    "FollowUp",
    "FollowUpKind",
    "FollowUpSource",
    "GreetingMode",
    "GreetingPunctuation",
    "ImplementationStatus",
    "ImportSession",
    "Language",
    "Letter",
    "LetterAction",
    "LetterQuerySet",
    "LetterRecipient",
    "LetterStatus",
    "Organization",
    "PaperSize",
    "PressRelease",
    "PrintBatch",
    "PrintBatchStatus",
    "PrintChunk",
    "Quote",
    "RecipientRole",
    "Recommendation",
    "RecommendationQuerySet",
    "RecommendationStyle",
    "ResponseStatus",
    "SentCopy",
    "Section",
    "Signatory",
    "SignatoryRole",
    "StatusRefused",
    "SubjectPrefix",
    "Theme",
    "derive_status",
    "new_token",
]
