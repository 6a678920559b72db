# End-to-end: a VPC with private subnets in three availability zones (built
# with the hashicorp/aws provider), an application security group and role,
# and a hardened Redis cluster that only the application can reach.
#
#   terraform init && terraform apply
#
# Nothing here opens the cache to the internet: there is no internet gateway
# route to the subnets and the cluster admits only app_sg and the VPC range.

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
  default = "shop-cache"
}

provider "aws" {
  region = var.region
}

provider "secure" {
  region = var.region
  default_tags {
    tags = {
      project = "shop"
      owner   = "platform-team"
    }
  }
}

data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  azs = slice(data.aws_availability_zones.available.names, 0, 3)
}

resource "aws_vpc" "main" {
  cidr_block           = "10.20.0.0/16"
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

# The default security group of a VPC admits everything from itself; lock it
# down (Checkov CKV2_AWS_12).
resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id
}

# The application's security group: the cluster admits traffic from it.
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

resource "secure_redis_cluster" "cache" {
  name               = var.name
  description        = "Cache for the shop application"
  engine             = "valkey"
  engine_version     = "8.0"
  node_type          = "cache.r7g.large"
  shards             = 1
  replicas_per_shard = 2

  subnet_ids                 = aws_subnet.private[*].id
  allowed_security_group_ids = [aws_security_group.app.id]
  # Private ranges only; 0.0.0.0/0 or a public range is refused at plan.
  allowed_cidr_blocks = [aws_vpc.main.cidr_block]

  maintenance_window      = "sun:05:00-sun:06:00"
  snapshot_window         = "03:00-04:00"
  snapshot_retention_days = 14
  log_retention_days      = 365

  auth_token_version      = 1
  auth_token_grace_period = "48h"

  tags = {
    service = "shop"
  }
}

# The application's role gets exactly what it needs to connect: read the
# SSM parameters and the token secret, decrypt them with the cluster key.
data "aws_iam_policy_document" "app_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "app" {
  name               = "${var.name}-app"
  assume_role_policy = data.aws_iam_policy_document.app_assume.json
}

resource "aws_iam_role_policy_attachment" "app_cache" {
  role       = aws_iam_role.app.name
  policy_arn = secure_redis_cluster.cache.app_policy_arn
}

output "primary_endpoint" {
  value = secure_redis_cluster.cache.primary_endpoint
}

output "reader_endpoint" {
  value = secure_redis_cluster.cache.reader_endpoint
}

output "port" {
  value = secure_redis_cluster.cache.port
}

output "auth_secret_arn" {
  description = "Read the AUTH token from here (AWSCURRENT)."
  value       = secure_redis_cluster.cache.auth_secret_arn
}

output "ssm_parameter_arns" {
  value = secure_redis_cluster.cache.ssm_parameter_arns
}

output "token_rotation_phase" {
  value = secure_redis_cluster.cache.auth_token_rotation_phase
}
