"""Google's error bodies, so clients (gspread, google-auth, Khet's retry code) see exactly what Google sends.

Sheets v4 errors are `{"error": {"code", "message", "status"}}`; Drive v3 adds the legacy
`errors: [{domain, reason, message}]` list that retry code keys on (e.g. `userRateLimitExceeded`).
"""

from __future__ import annotations

STATUS_BY_CODE = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
}


class ApiError(Exception):
    """An error answered to the client; `body` is the exact JSON Google would send."""

    def __init__(self, code: int, body: dict, headers: dict[str, str] | None = None):
        super().__init__(f"{code} {body}")
        self.code = code
        self.body = body
        self.headers = headers or {}


def sheets_error(code: int, message: str, status: str | None = None, details: list | None = None) -> ApiError:
    err: dict = {"code": code, "message": message, "status": status or STATUS_BY_CODE.get(code, "UNKNOWN")}
    if details:
        err["details"] = details
    return ApiError(code, {"error": err})


def drive_error(code: int, reason: str, message: str, domain: str = "global", **extra: str) -> ApiError:
    item = {"message": message, "domain": domain, "reason": reason, **extra}
    return ApiError(code, {"error": {"code": code, "message": message, "errors": [item]}})


def not_found() -> ApiError:
    return sheets_error(404, "Requested entity was not found.")


def permission_denied() -> ApiError:
    return sheets_error(403, "The caller does not have permission")


def bad_request(message: str) -> ApiError:
    return sheets_error(400, message)


def unimplemented(what: str) -> ApiError:
    # 501 is deliberate: clients must not retry it (only 429/500/503/408 are retryable).
    return sheets_error(
        501, f"Operation is not implemented, or supported, or enabled: {what} (Khet emulator)"
    )


def drive_not_found(file_id: str) -> ApiError:
    return drive_error(
        404, "notFound", f"File not found: {file_id}.", locationType="parameter", location="fileId"
    )


def drive_forbidden() -> ApiError:
    return drive_error(
        403, "insufficientFilePermissions", "The user does not have sufficient permissions for this file."
    )


def drive_invalid(message: str, location: str) -> ApiError:
    return drive_error(400, "invalid", message, locationType="parameter", location=location)


def unauthenticated(missing: bool = False, drive: bool = False) -> ApiError:
    """401 for a missing, unknown or expired bearer token (google-auth answers it by signing in again)."""
    if missing:
        message = (
            "Request is missing required authentication credential. Expected OAuth 2 access token, login "
            "cookie or other valid authentication credential. See "
            "https://developers.google.com/identity/sign-in/web/devconsole-project."
        )
    else:
        message = (
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
            "or other valid authentication credential. See "
            "https://developers.google.com/identity/sign-in/web/devconsole-project."
        )
    err: dict = {"code": 401, "message": message}
    if drive:
        err["errors"] = [
            {
                "message": "Login Required." if missing else "Invalid Credentials",
                "domain": "global",
                "reason": "required" if missing else "authError",
                "location": "Authorization",
                "locationType": "header",
            }
        ]
    err["status"] = "UNAUTHENTICATED"
    err["details"] = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "CREDENTIALS_MISSING" if missing else "ACCESS_TOKEN_EXPIRED",
            "domain": "googleapis.com",
        }
    ]
    return ApiError(
        401,
        {"error": err},
        {
            "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'
            + ("" if missing else ', error="invalid_token"')
        },
    )


def insufficient_scopes() -> ApiError:
    return sheets_error(
        403,
        "Request had insufficient authentication scopes.",
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                "domain": "googleapis.com",
            }
        ],
    )


def drive_insufficient_scopes() -> ApiError:
    body = {
        "error": {
            "code": 403,
            "message": "Request had insufficient authentication scopes.",
            "errors": [
                {
                    "message": "Insufficient Permission",
                    "domain": "global",
                    "reason": "insufficientPermissions",
                }
            ],
            "status": "PERMISSION_DENIED",
        }
    }
    return ApiError(403, body)


def internal_error(drive: bool = False) -> ApiError:
    if drive:
        return drive_error(500, "internalError", "Internal Error")
    return sheets_error(500, "Internal error encountered.")


def unavailable(drive: bool = False) -> ApiError:
    if drive:
        return drive_error(503, "backendError", "Backend Error")
    return sheets_error(503, "The service is currently unavailable.")


def quota_exceeded(kind: str, scope: str, limit: int, service: str = "sheets.googleapis.com") -> ApiError:
    """Sheets' 429: kind is 'read' or 'write', scope 'user' or 'project'."""
    metric = "Read requests" if kind == "read" else "Write requests"
    limit_name = f"{metric} per minute" + (" per user" if scope == "user" else "")
    quota_limit = ("ReadRequests" if kind == "read" else "WriteRequests") + (
        "PerMinutePerUser" if scope == "user" else "PerMinutePerProject"
    )
    message = (
        f"Quota exceeded for quota metric '{metric}' and limit '{limit_name}' of service "
        f"'{service}' for consumer 'project_number:{PROJECT_NUMBER}'."
    )
    return sheets_error(
        429,
        message,
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "RATE_LIMIT_EXCEEDED",
                "domain": "googleapis.com",
                "metadata": {
                    "quota_metric": f"{service}/{kind}_requests",
                    "quota_limit": quota_limit,
                    "quota_limit_value": str(limit),
                    "consumer": f"projects/{PROJECT_NUMBER}",
                    "service": service,
                    "quota_location": "global",
                },
            },
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [
                    {
                        "description": "Request a higher quota limit.",
                        "url": "https://cloud.google.com/docs/quotas/help/request_increase",
                    }
                ],
            },
        ],
    )


def drive_rate_limited(scope: str) -> ApiError:
    if scope == "429":  # Drive also answers plain 429s
        return drive_error(429, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits")
    if scope == "user":
        return drive_error(403, "userRateLimitExceeded", "User rate limit exceeded.", domain="usageLimits")
    return drive_error(403, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits")


def oauth_error(error: str, description: str, code: int = 400) -> ApiError:
    return ApiError(code, {"error": error, "error_description": description})


PROJECT_NUMBER = 100200300400
