"""STS: GetCallerIdentity, AssumeRole, AssumeRoleWithWebIdentity, GetSessionToken.

Temporary credentials issued here are registered with the emulator so that
requests signed with them (plus the session token) authenticate until they
expire (by emu.now())."""

import base64
import binascii
import datetime
import json
import re

from ..errors import AwsError

_ROLE_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role/((?:[\w+=,.@-]+/)*)([\w+=,.@-]{1,64})$",
                       re.ASCII)


def _b64url_json(segment):
    pad = "=" * (-len(segment) % 4)
    raw = base64.urlsafe_b64decode(segment + pad)
    return json.loads(raw.decode("utf-8"))


class Service:
    name = "sts"

    def __init__(self, emu):
        self.emu = emu
        self._issued = []  # [{"AccessKeyId", "Expiration", "Arn"}] (no secrets)

    # ---- helpers -------------------------------------------------------
    def _issue(self, duration, identity):
        emu = self.emu
        now = emu.now().replace(microsecond=0)
        ak = "ASIA" + emu.random_string(16)
        secret = emu.random_string(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        token = "FwoGZXIvYXdzE" + base64.b64encode(emu.random_bytes(96)).decode("ascii")
        expiration = now + datetime.timedelta(seconds=duration)
        emu.register_credentials(ak, secret, token, expiration, identity)
        self._issued.append({"AccessKeyId": ak, "Expiration": expiration, "Arn": identity["Arn"]})
        return {"AccessKeyId": ak, "SecretAccessKey": secret, "SessionToken": token,
                "Expiration": expiration}

    @staticmethod
    def _check_policy(params):
        policy = params.get("Policy")
        if policy is None:
            return None
        try:
            doc = json.loads(policy)
        except ValueError:
            raise AwsError("MalformedPolicyDocument", "The policy is not in the valid JSON format.")
        if not isinstance(doc, dict):
            raise AwsError("MalformedPolicyDocument", "The policy is not in the valid JSON format.")
        # Packed size as a percentage of the (2048-byte) packed limit, like AWS reports.
        size = len(json.dumps(doc, separators=(",", ":")))
        pct = max(1, size * 100 // 2048)
        if pct > 100:
            raise AwsError("PackedPolicyTooLarge",
                           f"Packed size of consumed sessions policies exceeds 2048 bytes by "
                           f"{size - 2048} bytes")
        return pct

    def _role(self, arn):
        m = _ROLE_ARN.match(arn)
        if not m:
            if arn.startswith("arn:") and len(arn.split(":", 5)) == 6:
                # A well-formed ARN that is not an assumable role: AWS answers
                # with an authorization failure.
                raise AwsError("AccessDenied",
                               f"User: {self.emu.caller()['Arn']} is not authorized to perform: "
                               f"sts:AssumeRole on resource: {arn}", 403)
            raise AwsError("ValidationError", f"{arn} is not a valid ARN")
        return m.group(2), m.group(3) + m.group(4), m.group(4)

    def _assumed(self, role_arn, session, params):
        account, _path_name, role_name = self._role(role_arn)
        pct = self._check_policy(params)
        duration = params.get("DurationSeconds", 3600)
        # Roles have MaxSessionDuration 3600 unless raised (settable here).
        max_session = self.emu.settings.get("role_max_session_s", 3600)
        if duration > max_session:
            raise AwsError("ValidationError", "The requested DurationSeconds exceeds the "
                           "MaxSessionDuration set for this role.")
        role_id = "AROA" + self.emu.random_string(17)
        arn = f"arn:{self.emu.partition}:sts::{account}:assumed-role/{role_name}/{session}"
        identity = {"Arn": arn, "UserId": f"{role_id}:{session}", "Account": account}
        out = {
            "Credentials": self._issue(duration, identity),
            "AssumedRoleUser": {"AssumedRoleId": f"{role_id}:{session}", "Arn": arn},
        }
        if pct is not None:
            out["PackedPolicySize"] = pct
        if "SourceIdentity" in params:
            out["SourceIdentity"] = params["SourceIdentity"]
        return out

    # ---- operations ----------------------------------------------------
    def op_GetCallerIdentity(self, params):
        ident = self.emu.caller()
        return {"UserId": ident["UserId"], "Account": ident["Account"], "Arn": ident["Arn"]}

    def op_AssumeRole(self, params):
        return self._assumed(params["RoleArn"], params["RoleSessionName"], params)

    def op_AssumeRoleWithWebIdentity(self, params):
        token = params["WebIdentityToken"]
        parts = token.split(".")
        bad = AwsError("InvalidIdentityToken",
                       "The ID Token provided is not a valid JWT. "
                       "(You may see this error if you sent an Access Token)")
        if len(parts) != 3 or not all(parts[:2]):
            raise bad
        try:
            header = _b64url_json(parts[0])
            claims = _b64url_json(parts[1])
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise bad
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise bad
        exp = claims.get("exp")
        if isinstance(exp, (int, float)) and not isinstance(exp, bool):
            if self.emu.now().timestamp() >= exp:
                raise AwsError("ExpiredTokenException", "Token expired: current date/time "
                               f"{int(self.emu.now().timestamp())} must be before the expiration "
                               f"date/time {int(exp)}")
        out = self._assumed(params["RoleArn"], params["RoleSessionName"], params)
        iss = claims.get("iss")
        if isinstance(iss, str) and iss:
            out["Provider"] = re.sub(r"^https?://", "", iss)
        sub = claims.get("sub")
        if isinstance(sub, str) and sub:
            out["SubjectFromWebIdentityToken"] = sub
        aud = claims.get("aud")
        if isinstance(aud, list):
            aud = aud[0] if aud and isinstance(aud[0], str) else None
        if isinstance(aud, str) and aud:
            out["Audience"] = aud
        return out

    def op_GetSessionToken(self, params):
        caller = self.emu.caller()
        if ":assumed-role/" in caller["Arn"] or ":federated-user/" in caller["Arn"]:
            raise AwsError("AccessDenied", "Cannot call GetSessionToken with session credentials",
                           403)
        duration = params.get("DurationSeconds", 43200)
        return {"Credentials": self._issue(duration, dict(caller))}

    def resources(self):
        # Temporary credentials are not resources that need cleaning up.
        return []
