"""Errors raised by emulator service handlers.

A handler raises ``AwsError(code, message, status=400, sender=True)``; the
framework renders it in the wire format of the service's protocol:

* query (sts, iam, elasticache): ``<ErrorResponse><Error><Type>Sender</Type>
  <Code>..</Code><Message>..</Message></Error><RequestId>..</RequestId></ErrorResponse>``
* ec2: ``<Response><Errors><Error><Code>..</Code><Message>..</Message></Error>
  </Errors><RequestID>..</RequestID></Response>``
* json 1.0/1.1 (kms, secretsmanager, logs, ssm): ``{"__type": code, "message": ..}``
  with header ``x-amzn-RequestId``.

``sender`` is True for client faults (``<Type>Sender</Type>``) and False for
service faults (``<Type>Receiver</Type>``).  Messages must never contain
secrets (keys, tokens, passwords).
"""


class AwsError(Exception):
    """An AWS API error with its wire code, message and HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400, sender: bool = True):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = int(status)
        self.sender = bool(sender)

    def __repr__(self):
        return f"AwsError({self.code!r}, {self.message!r}, status={self.status})"


def validation_error(message: str) -> AwsError:
    """JSON-protocol style validation failure (400 ValidationException)."""
    return AwsError("ValidationException", message, 400)


def not_implemented(service: str, operation: str, protocol: str) -> AwsError:
    """Error for an operation the emulator does not implement."""
    msg = f"The emulator does not implement {service}:{operation}"
    if protocol in ("json", "rest-json"):
        return AwsError("UnknownOperationException", msg, 400)
    return AwsError("InvalidAction", msg, 400)
