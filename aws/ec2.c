/*
 * ec2.c - EC2 API 2016-11-15 (EC2 query protocol): subnets, security
 * groups and their rules, tags.  Parameter spelling follows botocore's EC2
 * serializer: a member's queryName, else its capitalised locationName
 * ("IpPermissions.1.Groups.1.GroupId", "SecurityGroupRuleId.1",
 * "Filter.1.Value.1", "ResourceId.1", "Tag.1.Key"); results are read by
 * their lower-case locationNames ("securityGroupRuleSet/item").
 *
 * Does not cover VPCs, subnets' creation, or the legacy flat rule
 * parameters (CidrIp/FromPort/...).
 */
#include "ec2.h"

#include "core/arena.h"
#include "core/ctx.h"

#include <string.h>

#define SG_NOT_FOUND "InvalidGroup.NotFound"

static int call(struct ctx *c, struct aws_client *cl, const char *op,
		bool idempotent, const struct aws_params *ps,
		const char *not_found, const struct path *p,
		struct xml_node **res)
{
	return svc_query(c, cl, AWS_EC2, op, idempotent, ps, not_found, p, res);
}

#define SN(m, path, k) SVC_FIELD(struct ec2_subnet, m, path, k)
static const struct svc_field subnet_fields[] = {
	SN(id, "subnetId", SVC_STR),
	SN(vpc_id, "vpcId", SVC_STR),
	SN(az, "availabilityZone", SVC_STR),
	SN(az_id, "availabilityZoneId", SVC_STR),
	SN(cidr, "cidrBlock", SVC_STR),
	SN(state, "state", SVC_STR),
	SN(arn, "subnetArn", SVC_STR),
};

#define RU(m, path, k) SVC_FIELD(struct ec2_rule, m, path, k)
static const struct svc_field rule_fields[] = {
	RU(id, "securityGroupRuleId", SVC_STR),
	RU(group_id, "groupId", SVC_STR),
	RU(is_egress, "isEgress", SVC_BOOL),
	RU(protocol, "ipProtocol", SVC_STR),
	RU(from_port, "fromPort", SVC_INT),
	RU(to_port, "toPort", SVC_INT),
	RU(cidr_ipv4, "cidrIpv4", SVC_STR),
	RU(cidr_ipv6, "cidrIpv6", SVC_STR),
	RU(referenced_group_id, "referencedGroupInfo/groupId", SVC_STR),
	RU(prefix_list_id, "prefixListId", SVC_STR),
	RU(description, "description", SVC_STR),
};

#define SGF(m, path, k) SVC_FIELD(struct ec2_security_group, m, path, k)
static const struct svc_field group_fields[] = {
	SGF(id, "groupId", SVC_STR),
	SGF(name, "groupName", SVC_STR),
	SGF(description, "groupDescription", SVC_STR),
	SGF(vpc_id, "vpcId", SVC_STR),
	SGF(owner_id, "ownerId", SVC_STR),
	SGF(arn, "securityGroupArn", SVC_STR),
	SGF(tags, "tagSet", SVC_TAGS),
};

int ec2_describe_subnets(struct ctx *c, struct aws_client *cl,
			 const struct path *p, struct svc_strs ids,
			 struct ec2_subnet **out, size_t *n)
{
	struct aws_params ps;
	struct xml_node *res;
	int rc;

	*out = NULL;
	*n = 0;
	aws_params_init(&ps, c->arena);
	svc_add_strs(&ps, "SubnetId", ids.v, ids.n);
	rc = call(c, cl, "DescribeSubnets", true, &ps, NULL, p, &res);
	if (rc == 0)
		*out = svc_xml_list(c->arena, xml_child(res, "subnetSet"), sizeof(**out),
				    subnet_fields, SVC_NFIELDS(subnet_fields), n);
	return rc;
}

int ec2_create_security_group(struct ctx *c, struct aws_client *cl,
			      const struct path *p, const char *name,
			      const char *description, const char *vpc_id,
			      const struct svc_tag *tags, size_t n_tags,
			      const char **group_id)
{
	struct aws_params ps;
	struct xml_node *res;
	int rc;

	aws_params_init(&ps, c->arena);
	svc_add_str(&ps, "GroupName", name);
	svc_add_str(&ps, "GroupDescription", description);
	svc_add_str(&ps, "VpcId", vpc_id);
	if (n_tags) {
		svc_add_str(&ps, "TagSpecification.1.ResourceType", "security-group");
		svc_add_tags(&ps, "TagSpecification.1.Tag", tags, n_tags);
	}
	rc = call(c, cl, "CreateSecurityGroup", false, &ps, NULL, p, &res);
	*group_id = rc == 0 ? xml_text(res, "groupId") : NULL;
	if (rc == 0 && !*group_id)
		return diag_error(&c->diags, p, "EC2 CreateSecurityGroup failed",
				  "the response has no groupId");
	return rc;
}

int ec2_describe_security_group(struct ctx *c, struct aws_client *cl,
				const struct path *p, const char *id,
				struct ec2_security_group *out)
{
	struct aws_params ps;
	struct xml_node *res, *g;
	int rc;

	if (svc_require(c, p, AWS_EC2, "DescribeSecurityGroups",
			"GroupId", id) != 0)
		return -1;

	aws_params_init(&ps, c->arena);
	svc_add_str(&ps, "GroupId.1", id);
	rc = call(c, cl, "DescribeSecurityGroups", true, &ps, SG_NOT_FOUND, p, &res);
	if (rc != 0)
		return rc;
	g = xml_find(res, "securityGroupInfo/item");
	if (!g)
		return SVC_NOT_FOUND;
	memset(out, 0, sizeof(*out));
	svc_xml_fields(c->arena, g, group_fields, SVC_NFIELDS(group_fields), out);
	return 0;
}

int ec2_delete_security_group(struct ctx *c, struct aws_client *cl,
			      const struct path *p, const char *id)
{
	struct aws_params ps;

	aws_params_init(&ps, c->arena);
	svc_add_str(&ps, "GroupId", id);
	return call(c, cl, "DeleteSecurityGroup", true, &ps, SG_NOT_FOUND, p, NULL);
}

/* IpPermissions.<i>.*: one permission holding one source. */
static void add_permission(struct aws_params *ps, size_t i, const struct ec2_rule *r)
{
	struct arena *a = ps->arena;
	const char *list = NULL, *key = NULL, *v = NULL;
	char *pre = arena_sprintf(a, "IpPermissions.%zu.", i);

	aws_params_add(ps, arena_sprintf(a, "%sIpProtocol", pre), r->protocol ? r->protocol : "tcp");
	aws_params_addf(ps, arena_sprintf(a, "%sFromPort", pre), "%d", r->from_port);
	aws_params_addf(ps, arena_sprintf(a, "%sToPort", pre), "%d", r->to_port);
	if (r->cidr_ipv4)
		list = "IpRanges", key = "CidrIp", v = r->cidr_ipv4;
	else if (r->cidr_ipv6)
		list = "Ipv6Ranges", key = "CidrIpv6", v = r->cidr_ipv6;
	else if (r->referenced_group_id)
		list = "Groups", key = "GroupId", v = r->referenced_group_id;
	else if (r->prefix_list_id)
		list = "PrefixListIds", key = "PrefixListId", v = r->prefix_list_id;
	if (!list)
		return;
	aws_params_add(ps, arena_sprintf(a, "%s%s.1.%s", pre, list, key), v);
	svc_add_str(ps, arena_sprintf(a, "%s%s.1.Description", pre, list), r->description);
}

int ec2_authorize_rules(struct ctx *c, struct aws_client *cl,
			const struct path *p, const char *group_id, bool egress,
			const struct ec2_rule *rules, size_t n,
			struct ec2_rule **out, size_t *n_out)
{
	struct aws_params ps;
	struct xml_node *res;
	struct ec2_rule *got;
	size_t k, i;
	int rc;

	if (out)
		*out = NULL;
	if (n_out)
		*n_out = 0;
	aws_params_init(&ps, c->arena);
	svc_add_str(&ps, "GroupId", group_id);
	for (i = 0; i < n; i++)
		add_permission(&ps, i + 1, &rules[i]);
	/* Not idempotent: a retry after a lost answer would report
	 * InvalidPermission.Duplicate for rules that were just added. */
	rc = call(c, cl, egress ? "AuthorizeSecurityGroupEgress" : "AuthorizeSecurityGroupIngress",
		  false, &ps, NULL, p, &res);
	if (rc != 0)
		return rc;
	got = svc_xml_list(c->arena, xml_child(res, "securityGroupRuleSet"), sizeof(*got),
			   rule_fields, SVC_NFIELDS(rule_fields), &k);
	if (out)
		*out = got;
	if (n_out)
		*n_out = k;
	return 0;
}

int ec2_revoke_rules(struct ctx *c, struct aws_client *cl,
		     const struct path *p, const char *group_id, bool egress,
		     struct svc_strs rule_ids)
{
	struct aws_params ps;

	aws_params_init(&ps, c->arena);
	svc_add_str(&ps, "GroupId", group_id);
	svc_add_strs(&ps, "SecurityGroupRuleId", rule_ids.v, rule_ids.n);
	return call(c, cl, egress ? "RevokeSecurityGroupEgress" : "RevokeSecurityGroupIngress",
		    true, &ps, SG_NOT_FOUND "|InvalidPermission.NotFound|InvalidSecurityGroupRuleId.NotFound",
		    p, NULL);
}

int ec2_describe_security_group_rules(struct ctx *c, struct aws_client *cl,
				      const struct path *p, const char *group_id,
				      struct ec2_rule **out, size_t *n)
{
	const char *token = NULL;
	int pages = 0;

	if (svc_require(c, p, AWS_EC2, "DescribeSecurityGroupRules",
			"GroupId", group_id) != 0)
		return -1;

	*out = NULL;
	*n = 0;
	do {
		struct aws_params ps;
		struct xml_node *res;
		struct ec2_rule *page, *all;
		size_t k;
		int rc;

		aws_params_init(&ps, c->arena);
		svc_add_str(&ps, "Filter.1.Name", "group-id");
		svc_add_str(&ps, "Filter.1.Value.1", group_id);
		svc_add_str(&ps, "NextToken", token);
		rc = call(c, cl, "DescribeSecurityGroupRules", true, &ps, NULL, p, &res);
		if (rc != 0)
			return rc;
		page = svc_xml_list(c->arena, xml_child(res, "securityGroupRuleSet"),
				    sizeof(*page), rule_fields, SVC_NFIELDS(rule_fields), &k);
		if (k) {
			all = arena_calloc(c->arena, *n + k, sizeof(*all));
			if (*n)
				memcpy(all, *out, *n * sizeof(*all));
			memcpy(all + *n, page, k * sizeof(*all));
			*out = all;
			*n += k;
		}
		token = xml_text(res, "nextToken");
	} while (token && *token && ++pages < 100);
	return 0;
}

int ec2_create_tags(struct ctx *c, struct aws_client *cl, const struct path *p,
		    struct svc_strs resource_ids, const struct svc_tag *tags,
		    size_t n)
{
	struct aws_params ps;

	aws_params_init(&ps, c->arena);
	svc_add_strs(&ps, "ResourceId", resource_ids.v, resource_ids.n);
	svc_add_tags(&ps, "Tag", tags, n);
	return call(c, cl, "CreateTags", true, &ps, NULL, p, NULL);
}

int ec2_delete_tags(struct ctx *c, struct aws_client *cl, const struct path *p,
		    struct svc_strs resource_ids, struct svc_strs keys)
{
	struct aws_params ps;
	size_t i;

	aws_params_init(&ps, c->arena);
	svc_add_strs(&ps, "ResourceId", resource_ids.v, resource_ids.n);
	for (i = 0; i < keys.n; i++)
		svc_add_str(&ps, arena_sprintf(c->arena, "Tag.%zu.Key", i + 1), keys.v[i]);
	return call(c, cl, "DeleteTags", true, &ps, NULL, p, NULL);
}
