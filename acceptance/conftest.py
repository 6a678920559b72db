"""Settings shared by every acceptance test.

Tests never send traffic off this machine: the AWS SDK credentials chain
would otherwise probe the EC2 instance metadata service (169.254.169.254)
when a provider finds no credentials, so it is disabled for every process the
tests start (they inherit this environment).
"""

import os

os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
# Tests configure the provider explicitly; ambient AWS settings of the
# machine must not leak into them.
for _name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
              "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
              "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_ENDPOINT_URL"):
    os.environ.pop(_name, None)
