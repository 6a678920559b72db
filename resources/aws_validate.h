/*
 * aws_validate.h - syntax checks for AWS identifiers and settings, as AWS
 * itself defines them, shared by the resources (secure_redis_cluster, and
 * the RBAC resources that reuse names, ARNs, windows and tags).
 *
 * Each aws_check_* function looks at one string and returns NULL when it is
 * valid, or a static English sentence fragment saying what is wrong
 * ("must start with a letter").  Callers turn that into a diagnostic with the
 * attribute path and the value.  The checks are pure: no AWS call, no
 * allocation, no global state; thread-safe.  They only know syntax: whether
 * a subnet exists, or which AZ it is in, is for apply time.
 */
#ifndef RESOURCES_AWS_VALIDATE_H
#define RESOURCES_AWS_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ElastiCache identifiers (replication group id, user group id, user id,
 * parameter group name): 1..max_len ASCII letters, digits and hyphens,
 * first a letter, no trailing hyphen, no "--".  Upper case is accepted here
 * (AWS accepts and lowercases it); callers that want lowercase check
 * aws_has_upper() themselves. */
const char *aws_check_elasticache_id(const char *s, size_t max_len);
bool aws_has_upper(const char *s);

/* subnet-<8 or 17 lowercase hex>, sg-<8 or 17 lowercase hex>. */
const char *aws_check_subnet_id(const char *s);
const char *aws_check_security_group_id(const char *s);

/* A KMS key ARN (not an alias ARN, not a bare key id):
 * arn:<partition>:kms:<region>:<12 digits>:key/<uuid or mrk-<32 hex>>. */
const char *aws_check_kms_key_arn(const char *s);

/* CIDR blocks: IPv4 a.b.c.d/n or IPv6 x::y/n, in network form (host bits
 * zero, as EC2 stores them).  aws_check_cidr() checks syntax only;
 * aws_cidr_is_private() is true when the whole block lies inside RFC 1918
 * (10/8, 172.16/12, 192.168/16), RFC 6598 shared space (100.64/10) or IPv6
 * unique local addresses (fc00::/7).  It returns false for invalid text. */
const char *aws_check_cidr(const char *s);
bool aws_cidr_is_private(const char *s);

/* Windows.  Maintenance: ddd:hh24:mi-ddd:hh24:mi (UTC, ddd one of
 * sun..sat), at least 60 minutes and at most 24 hours long; may wrap
 * around the week.  Snapshot: hh24:mi-hh24:mi, at least 60 minutes, may
 * wrap midnight.  On success *start_min (minutes from Sunday 00:00, or from
 * 00:00 for snapshots) and *len_min are set. */
const char *aws_parse_maintenance_window(const char *s, int *start_min,
					 int *len_min);
const char *aws_parse_snapshot_window(const char *s, int *start_min,
				      int *len_min);
/* True if the daily snapshot window meets the weekly maintenance window on
 * any day of the week. */
bool aws_windows_overlap(int maint_start, int maint_len, int snap_start,
			 int snap_len);

/* Tags (ElastiCache, EC2, KMS, Secrets Manager, SSM, CloudWatch Logs agree
 * on these): key 1..128 characters, value 0..256 characters, letters,
 * digits, spaces and _ . : / = + - @; keys must not start with "aws:"
 * (any case).  Lengths count Unicode characters; s must be valid UTF-8. */
#define AWS_TAGS_MAX 50
const char *aws_check_tag_key(const char *s);
const char *aws_check_tag_value(const char *s);

/* CloudWatch Logs PutRetentionPolicy retentionInDays values. */
bool aws_log_retention_valid(int64_t days);
/* "1, 3, 5, ... 3653" for messages (static). */
const char *aws_log_retention_list(void);

#endif
