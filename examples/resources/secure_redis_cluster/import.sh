#!/bin/sh
# Import by replication group id (lowercase, as ElastiCache stores it).
# The provider finds the key, security group, subnet group, log groups,
# secret, SSM parameters and policies by their secure:redis-cluster tag.
terraform import secure_redis_cluster.orders orders-cache
