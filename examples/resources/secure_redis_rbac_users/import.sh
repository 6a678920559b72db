#!/bin/sh
# Import by user group id (lowercase, as ElastiCache stores it). The
# provider finds the users, secrets and key by their
# secure:redis-rbac-users tag; the next apply adopts the configured
# password_version without rotating.
terraform import secure_redis_rbac_users.orders orders-users
