# A hardened Redis OSS replication group: one shard with two replicas,
# reachable only from the application's security group.
resource "secure_redis_cluster" "orders" {
  name               = "orders-cache"
  description        = "Session and cart cache for the orders service"
  engine             = "redis"
  engine_version     = "7.1"
  node_type          = "cache.r7g.large"
  shards             = 1
  replicas_per_shard = 2

  subnet_ids                 = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  allowed_security_group_ids = ["sg-0123456789abcdef0"]

  maintenance_window      = "sun:05:00-sun:06:00"
  snapshot_window         = "03:00-04:00"
  snapshot_retention_days = 7
  log_retention_days      = 365

  parameters = {
    "maxmemory-policy" = "allkeys-lru"
  }

  # Token rotation: raise auth_token_version to add a new token while the
  # old one keeps working; set auth_token_retire_previous = true (or wait
  # auth_token_grace_period) to retire the old one in a later apply.
  auth_token_version      = 1
  auth_token_grace_period = "24h"

  tags = {
    service = "orders"
  }

  timeouts {
    create = "60m"
    update = "60m"
    delete = "40m"
  }
}

# What an application needs to connect.
output "orders_cache_endpoint" {
  value = secure_redis_cluster.orders.primary_endpoint
}

output "orders_cache_auth_secret_arn" {
  value = secure_redis_cluster.orders.auth_secret_arn
}
