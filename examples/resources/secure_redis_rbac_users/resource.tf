# A user group with the three usual roles and an IAM-authenticated reader.
# The group's `default` user is added by the provider, locked (off -@all).
resource "secure_redis_rbac_users" "orders" {
  name           = "orders-users"
  engine         = "redis"
  engine_version = "7.1" # IAM authentication needs Redis OSS 7.0+

  users = {
    # Operators: every command. Keep admins few and named after people or
    # teams, never after services.
    "ops" = {
      role = "admin"
    }

    # Dashboards: read commands on the order keys only.
    "reporting" = {
      role = "readonly"
      keys = ["orders:*"]
    }

    # The orders service: read and write, without FLUSHALL, FLUSHDB, KEYS
    # or any @dangerous command. Raise password_version to rotate.
    "orders-svc" = {
      role             = "service"
      keys             = ["orders:*", "carts:*"]
      channels         = ["orders.events"]
      password_version = 1
    }

    # A batch job with a hand-written access string (no passwords in it).
    "cart-expiry" = {
      role          = "custom"
      access_string = "on ~carts:* resetchannels -@all +scan +ttl +expire +del"
    }

    # An application that connects with IAM (no password): its role gets
    # the users' iam_policy_json.
    "analytics-iam" = {
      role           = "readonly"
      authentication = "iam"
      keys           = ["orders:*"]
    }
  }

  cluster_arns = ["arn:aws:elasticache:eu-west-1:111122223333:replicationgroup:orders-cache"]

  # Once every client reads the rotated passwords from Secrets Manager,
  # set this to true to retire the previous ones.
  retire_previous_passwords = false

  secret_recovery_window_days = 7

  tags = {
    service = "orders"
  }

  timeouts {
    create = "30m"
    update = "30m"
    delete = "30m"
  }
}

# Where the orders service finds its password (never in state).
output "orders_svc_secret_arn" {
  value = secure_redis_rbac_users.orders.users["orders-svc"].secret_arn
}

# The policy to attach to the analytics application's IAM role.
output "analytics_iam_policy" {
  value = secure_redis_rbac_users.orders.users["analytics-iam"].iam_policy_json
}
