/*
 * ec2.h - the EC2 calls of secure_redis_cluster: subnets (to find the VPC
 * and AZs), the cluster's security group and its rules, tags.
 *
 * Conventions as in elasticache.h: c/cl/p first, outputs in c->arena,
 * 0 / SVC_NOT_FOUND where documented / -1 with the standard diagnostic
 * ("EC2 <Operation> failed").  Thread-safe.
 */
#ifndef AWS_EC2_H
#define AWS_EC2_H

#include "aws/svc.h"

struct ec2_subnet {
	const char *id, *vpc_id, *az, *az_id, *cidr, *state, *arn;
};

/* Describes the given subnets (ids.n == 0: every subnet of the account,
 * first page).  All must exist: a missing one is an error
 * (InvalidSubnetID.NotFound) with the diagnostic on p. */
int ec2_describe_subnets(struct ctx *c, struct aws_client *cl,
			 const struct path *p, struct svc_strs ids,
			 struct ec2_subnet **out, size_t *n);

struct ec2_security_group {
	const char *id, *name, *description, *vpc_id, *owner_id, *arn;
	struct svc_tags tags;
};

/* Creates the group with its tags (TagSpecification); *group_id is the new
 * id (arena).  InvalidGroup.Duplicate is an error. */
int ec2_create_security_group(struct ctx *c, struct aws_client *cl,
			      const struct path *p, const char *name,
			      const char *description, const char *vpc_id,
			      const struct svc_tag *tags, size_t n_tags,
			      const char **group_id);
/* SVC_NOT_FOUND: InvalidGroup.NotFound. */
int ec2_describe_security_group(struct ctx *c, struct aws_client *cl,
				const struct path *p, const char *id,
				struct ec2_security_group *out);
/* SVC_NOT_FOUND when already gone; DependencyViolation is an error. */
int ec2_delete_security_group(struct ctx *c, struct aws_client *cl,
			      const struct path *p, const char *id);

/* One security group rule.  On input exactly one source/destination of
 * cidr_ipv4, cidr_ipv6, referenced_group_id, prefix_list_id is set and id
 * is ignored; outputs have every field AWS returned. */
struct ec2_rule {
	const char *id;			/* sgr-... */
	const char *group_id;		/* output */
	bool is_egress;			/* output */
	const char *protocol;		/* "tcp", "-1" ... */
	int from_port, to_port;
	const char *cidr_ipv4, *cidr_ipv6, *referenced_group_id, *prefix_list_id;
	const char *description;
};

/* Authorize{Ingress,Egress}: one IpPermissions entry per rule.  The new
 * rules (with ids) are returned in *out / *n_out (both may be NULL).
 * InvalidPermission.Duplicate is an error. */
int ec2_authorize_rules(struct ctx *c, struct aws_client *cl,
			const struct path *p, const char *group_id, bool egress,
			const struct ec2_rule *rules, size_t n,
			struct ec2_rule **out, size_t *n_out);
/* Revoke{Ingress,Egress} by rule id.  SVC_NOT_FOUND: the group is gone
 * (InvalidGroup.NotFound) or a rule is (InvalidPermission.NotFound). */
int ec2_revoke_rules(struct ctx *c, struct aws_client *cl,
		     const struct path *p, const char *group_id, bool egress,
		     struct svc_strs rule_ids);
/* Every rule of the group (ingress and egress), following nextToken. */
int ec2_describe_security_group_rules(struct ctx *c, struct aws_client *cl,
				      const struct path *p, const char *group_id,
				      struct ec2_rule **out, size_t *n);

/* CreateTags overwrites values of existing keys; DeleteTags removes keys. */
int ec2_create_tags(struct ctx *c, struct aws_client *cl, const struct path *p,
		    struct svc_strs resource_ids, const struct svc_tag *tags,
		    size_t n);
int ec2_delete_tags(struct ctx *c, struct aws_client *cl, const struct path *p,
		    struct svc_strs resource_ids, struct svc_strs keys);

#endif
