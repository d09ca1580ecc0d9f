"""The errors of payments. Each carries a message fit to show a shopper or a
member of staff as it is."""


class PaymentError(Exception):
    """A payment action that cannot be done: an amount over the limit, a state
    that does not allow it, or the gateway refusing (then the gateway's reason
    is the message). Nothing was changed."""


class GatewayError(PaymentError):
    """The gateway refused a call or could not be reached; ``code`` is its own
    error code when it gave one (``card_declined``, ...)."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class WebhookInvalid(Exception):
    """A webhook whose signature, timestamp or body does not check out; the
    view answers 400 with this message and records nothing."""
