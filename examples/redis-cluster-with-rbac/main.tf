# A hardened Redis cluster whose clients authenticate as RBAC users instead
# of sharing one AUTH token: an operator (admin), a dashboard (readonly),
# the orders service (service, password in Secrets Manager) and an
# analytics job that connects with IAM (no password at all).
#
#   terraform init && terraform apply
#
# The cluster attaches the user group through user_group_id; the group's
# `default` user is locked by the provider, so a client that does not log
# in as one of these users can do nothing.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
    secure = {
      source = "secure-iac/secure"
    }
  }
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "name" {
  type    = string
  default = "orders-cache"
}

provider "aws" {
  region = var.region
}

provider "secure" {
  region = var.region
  default_tags {
    tags = {
      project = "orders"
      owner   = "platform-team"
    }
  }
}

data "aws_caller_identity" "current" {}

data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  azs = slice(data.aws_availability_zones.available.names, 0, 2)

  # The replication group's ARN, built from its name: the IAM policies of
  # the users need it, and referring to secure_redis_cluster.cache.arn
  # would make a cycle (the cluster refers to the user group).
  cluster_arn = "arn:aws:elasticache:${var.region}:${data.aws_caller_identity.current.account_id}:replicationgroup:${var.name}"
}

resource "aws_vpc" "main" {
  cidr_block           = "10.30.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = { Name = "${var.name}-vpc" }
}

# Private subnets only: no route to an internet gateway.
resource "aws_subnet" "private" {
  count             = length(local.azs)
  vpc_id            = aws_vpc.main.id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)
  tags              = { Name = "${var.name}-private-${local.azs[count.index]}" }
}

resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id
}

resource "aws_security_group" "app" {
  name        = "${var.name}-app"
  description = "Application servers that use the cache"
  vpc_id      = aws_vpc.main.id

  egress {
    description = "TLS to the cache inside the VPC"
    from_port   = 6379
    to_port     = 6379
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.main.cidr_block]
  }
}

resource "secure_redis_rbac_users" "orders" {
  name           = "${var.name}-users"
  engine         = "redis"
  engine_version = "7.1"

  users = {
    "ops" = {
      role = "admin"
    }
    "reporting" = {
      role = "readonly"
      keys = ["orders:*"]
    }
    "orders-svc" = {
      role             = "service"
      keys             = ["orders:*", "carts:*"]
      password_version = 1
    }
    "analytics" = {
      role           = "readonly"
      authentication = "iam"
      keys           = ["orders:*"]
    }
  }

  cluster_arns = [local.cluster_arn]

  tags = {
    service = "orders"
  }
}

resource "secure_redis_cluster" "cache" {
  name               = var.name
  description        = "Orders cache with per-client RBAC users"
  engine             = "redis"
  engine_version     = "7.1"
  node_type          = "cache.r7g.large"
  shards             = 1
  replicas_per_shard = 2

  subnet_ids                 = aws_subnet.private[*].id
  allowed_security_group_ids = [aws_security_group.app.id]

  # RBAC instead of an AUTH token: the cluster attaches the group.
  user_group_id = secure_redis_rbac_users.orders.user_group_id

  maintenance_window      = "sun:05:00-sun:06:00"
  snapshot_window         = "03:00-04:00"
  snapshot_retention_days = 7
  log_retention_days      = 365

  tags = {
    service = "orders"
  }
}

# The analytics job's role may connect as its IAM user, and nothing else.
data "aws_iam_policy_document" "analytics_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "analytics" {
  name               = "${var.name}-analytics"
  assume_role_policy = data.aws_iam_policy_document.analytics_assume.json
}

resource "aws_iam_role_policy" "analytics_connect" {
  name   = "elasticache-connect"
  role   = aws_iam_role.analytics.id
  policy = secure_redis_rbac_users.orders.users["analytics"].iam_policy_json
}

output "primary_endpoint" {
  value = secure_redis_cluster.cache.primary_endpoint
}

output "orders_svc_user" {
  description = "User id to log in with; the password is in the secret (AWSCURRENT)."
  value = {
    user_id    = secure_redis_rbac_users.orders.users["orders-svc"].user_id
    secret_arn = secure_redis_rbac_users.orders.users["orders-svc"].secret_arn
  }
}

output "default_user_id" {
  description = "The locked default user (off -@all)."
  value       = secure_redis_rbac_users.orders.default_user_id
}
