"""The provider's claims for each test person, and the faults a few of them come with (settings.PEOPLE)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from django.conf import settings
from jwcrypto import jwk, jwt
from oauth2_provider.oauth2_validators import OAuth2Validator

EXPIRED_AGO = 600  # seconds: well past any relying party's leeway for clocks
FOREIGN_AUDIENCE = "another-service"
FOREIGN_ISSUER = "http://127.0.0.1:9/o"  # an issuer that is not this provider


def _person(request: Any) -> dict[str, Any]:
    return settings.PEOPLE[request.user.get_username()]


def _segment(part: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


class Validator(OAuth2Validator):
    # get_oidc_claims drops every claim without a scope here, so amr gets one (it comes with openid), and so does
    # xms_edov, Microsoft Entra ID's word that the e-mail's domain owner verified it (it comes with email).
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "amr": "openid", "xms_edov": "email"}

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        person = _person(request)
        claims = {
            "email": request.user.email,  # from the database: a test changes it (manage.py change_email)
            "amr": person.get("amr", ["pwd"]),
            "name": person.get("name", request.user.get_username()),
        }
        for optional in ("email_verified", "xms_edov"):  # None: the provider does not send the claim at all
            if person.get(optional) is not None:
                claims[optional] = person[optional]
        return claims

    def get_id_token_dictionary(self, token: Any, token_handler: Any, request: Any) -> tuple[dict[str, Any], Any]:
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        quirk = _person(request).get("quirk")
        if quirk == "expired":
            now = int(time.time())
            claims.update(iat=now - EXPIRED_AGO - 3600, auth_time=now - EXPIRED_AGO - 3600, exp=now - EXPIRED_AGO)
        elif quirk == "wrong_audience":
            claims["aud"] = FOREIGN_AUDIENCE
        elif quirk == "wrong_issuer":
            claims["iss"] = FOREIGN_ISSUER
        elif quirk == "wrong_nonce":
            claims["nonce"] = "a-nonce-from-another-sign-in"  # replaces the one the relying party sent
        return claims, expiration_time

    def finalize_id_token(self, id_token: Any, token: Any, token_handler: Any, request: Any) -> str:
        signed = super().finalize_id_token(id_token, token, token_handler, request)
        if _person(request).get("quirk") != "forged":
            return signed
        # The same header (the provider's own key id) and claims, signed with a key the provider never published.
        header, claims = (_segment(part) for part in signed.split(".")[:2])
        forged = jwt.JWT(header=header, claims=claims)
        forged.make_signed_token(jwk.JWK.from_pem(settings.ROGUE_RSA_KEY.encode()))
        return forged.serialize()
