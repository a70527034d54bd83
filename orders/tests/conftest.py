import copy

import pytest

from .fake_stripe import FakeStripe

API_KEY = "sk_test_fake_0123456789"
WEBHOOK_SECRET = "whsec_test_fake_secret"


@pytest.fixture
def fake_stripe(settings):
    """Our local Stripe stand-in, with the site's Stripe settings pointing at it.

    Set `fake_stripe.webhook_url` (e.g. to a live_server URL) for the hosted page's
    Pay button to deliver its webhook. The fake's origin joins the CSP `form-action`
    (as checkout.stripe.com is in production) so a browser may follow the redirect.
    """
    fake = FakeStripe(API_KEY, WEBHOOK_SECRET).start()
    settings.STRIPE_API_BASE = fake.base_url
    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(fake.base_url)
    settings.CONTENT_SECURITY_POLICY = policy
    yield fake
    fake.stop()
