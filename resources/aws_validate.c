/*
 * aws_validate.c - syntax of AWS identifiers, ARNs, CIDR blocks, windows
 * and tags (aws_validate.h).
 *
 * Sources of the rules: the botocore service models' documentation
 * (ElastiCache CreateReplicationGroup: ReplicationGroupId, windows; EC2 id
 * formats; CloudWatch Logs PutRetentionPolicy), RFC 1918, RFC 6598 and
 * RFC 4193.  Nothing here knows whether a resource exists.
 */
#include "resources/aws_validate.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static bool is_alpha(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_lower_hex(char ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'f');
}

const char *aws_check_elasticache_id(const char *s, size_t max_len)
{
	size_t i, n = strlen(s);

	if (n == 0)
		return "must not be empty";
	if (n > max_len)
		return max_len == 40 ? "must be at most 40 characters long" :
			"is too long";
	if (!is_alpha(s[0]))
		return "must start with a letter";
	for (i = 0; i < n; i++) {
		if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '-')
			return "must contain only ASCII letters, digits and "
				"hyphens";
		if (s[i] == '-' && s[i + 1] == '-')
			return "must not contain two consecutive hyphens";
	}
	if (s[n - 1] == '-')
		return "must not end with a hyphen";
	return NULL;
}

bool aws_has_upper(const char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			return true;
	return false;
}

/* prefix followed by exactly 8 or 17 lowercase hex digits. */
static bool hex_id(const char *s, const char *prefix)
{
	size_t i, n, p = strlen(prefix);

	if (strncmp(s, prefix, p) != 0)
		return false;
	n = strlen(s + p);
	if (n != 8 && n != 17)
		return false;
	for (i = 0; i < n; i++)
		if (!is_lower_hex(s[p + i]))
			return false;
	return true;
}

const char *aws_check_subnet_id(const char *s)
{
	return hex_id(s, "subnet-") ? NULL : "must be a subnet id: \"subnet-\" "
		"followed by 8 or 17 lowercase hexadecimal digits";
}

const char *aws_check_security_group_id(const char *s)
{
	return hex_id(s, "sg-") ? NULL : "must be a security group id: \"sg-\" "
		"followed by 8 or 17 lowercase hexadecimal digits (a group "
		"name is not accepted)";
}

/* [a-z0-9-]+ of at least min characters, up to the next ':'.  Returns the
 * length or 0. */
static size_t arn_part(const char *s, size_t min)
{
	size_t n = 0;

	while ((s[n] >= 'a' && s[n] <= 'z') || is_digit(s[n]) || s[n] == '-')
		n++;
	return n >= min && s[n] == ':' ? n : 0;
}

static bool key_uuid(const char *s)
{
	static const int groups[] = { 8, 4, 4, 4, 12 };
	size_t g, i;

	if (strncmp(s, "mrk-", 4) == 0) {	/* multi-Region key */
		for (i = 0; i < 32; i++)
			if (!is_lower_hex(s[4 + i]))
				return false;
		return s[36] == '\0';
	}
	for (g = 0; g < 5; g++) {
		for (i = 0; i < (size_t)groups[g]; i++, s++)
			if (!is_lower_hex(*s))
				return false;
		if (*s != (g == 4 ? '\0' : '-'))
			return false;
		s++;
	}
	return true;
}

const char *aws_check_kms_key_arn(const char *s)
{
	static const char *const want = "must be a KMS key ARN such as "
		"arn:aws:kms:eu-west-1:111122223333:key/"
		"1234abcd-12ab-34cd-56ef-1234567890ab";
	size_t n, i;

	if (strncmp(s, "arn:", 4) != 0)
		return want;
	s += 4;
	n = arn_part(s, 3);		/* partition: aws, aws-cn, ... */
	if (!n || strncmp(s, "aws", 3) != 0)
		return want;
	s += n + 1;
	if (strncmp(s, "kms:", 4) != 0)
		return want;
	s += 4;
	n = arn_part(s, 4);		/* region */
	if (!n)
		return want;
	s += n + 1;
	for (i = 0; i < 12; i++)	/* account */
		if (!is_digit(s[i]))
			return want;
	if (s[12] != ':')
		return want;
	s += 13;
	if (strncmp(s, "alias/", 6) == 0)
		return "must be the ARN of the key itself, not of an alias: "
			"IAM policies that grant kms:Decrypt must name the key "
			"ARN, and an alias can be moved to another key";
	if (strncmp(s, "key/", 4) != 0 || !key_uuid(s + 4))
		return want;
	return NULL;
}

/* Parses a CIDR into 16 address bytes (IPv4 in the first 4), the family
 * and the prefix length.  Returns NULL or a reason. */
static const char *cidr_parse(const char *s, unsigned char addr[16],
			      int *family, int *prefix)
{
	const char *slash = strchr(s, '/');
	char host[INET6_ADDRSTRLEN + 1];
	size_t hn, i;
	int max, bits, p = 0;

	if (!slash)
		return "must be a CIDR block such as 10.0.0.0/16 (the /prefix "
			"length is missing)";
	hn = (size_t)(slash - s);
	if (hn == 0 || hn >= sizeof(host))
		return "must be a CIDR block such as 10.0.0.0/16";
	memcpy(host, s, hn);
	host[hn] = '\0';
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, host, addr) == 1) {
		*family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, host, addr) == 1) {
		*family = AF_INET6;
		max = 128;
	} else {
		return "must be a CIDR block such as 10.0.0.0/16 or "
			"fd00:1::/64 (the address part is not an IPv4 or IPv6 "
			"address)";
	}
	s = slash + 1;
	if (!is_digit(s[0]) || (s[0] == '0' && s[1]) || strlen(s) > 3)
		return "has an invalid prefix length";
	for (; *s; s++) {
		if (!is_digit(*s))
			return "has an invalid prefix length";
		p = p * 10 + (*s - '0');
	}
	if (p > max)
		return *family == AF_INET ? "has a prefix length above 32" :
			"has a prefix length above 128";
	for (i = 0; i < (size_t)max / 8; i++) {	/* host bits must be zero */
		bits = p - (int)i * 8;
		if (bits >= 8)
			continue;
		if (addr[i] & (bits <= 0 ? 0xff : (0xff >> bits)))
			return "is not in network form: the address has bits "
				"set after the prefix length (EC2 stores the "
				"network address)";
	}
	*prefix = p;
	return NULL;
}

const char *aws_check_cidr(const char *s)
{
	unsigned char addr[16];
	int family, prefix;

	return cidr_parse(s, addr, &family, &prefix);
}

/* True when a/p lies inside net/np (first np bits equal, p >= np). */
static bool within(const unsigned char *a, int p, const unsigned char *net,
		   int np)
{
	int i;

	if (p < np)
		return false;
	for (i = 0; i < np; i++)
		if (((a[i / 8] >> (7 - i % 8)) & 1) !=
		    ((net[i / 8] >> (7 - i % 8)) & 1))
			return false;
	return true;
}

bool aws_cidr_is_private(const char *s)
{
	static const struct {
		unsigned char net[4];
		int prefix;
	} v4[] = {
		{ { 10, 0, 0, 0 }, 8 },		/* RFC 1918 */
		{ { 172, 16, 0, 0 }, 12 },	/* RFC 1918 */
		{ { 192, 168, 0, 0 }, 16 },	/* RFC 1918 */
		{ { 100, 64, 0, 0 }, 10 },	/* RFC 6598 shared space */
	};
	static const unsigned char ula[16] = { 0xfc };	/* RFC 4193 */
	unsigned char addr[16];
	int family, prefix;
	size_t i;

	if (cidr_parse(s, addr, &family, &prefix))
		return false;
	if (family == AF_INET6)
		return within(addr, prefix, ula, 7);
	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
		if (within(addr, prefix, v4[i].net, v4[i].prefix))
			return true;
	return false;
}

/* hh:mi at s (exactly 5 characters): minutes, or -1. */
static int hhmi(const char *s)
{
	int h, m;

	if (!is_digit(s[0]) || !is_digit(s[1]) || s[2] != ':' ||
	    !is_digit(s[3]) || !is_digit(s[4]))
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	return h < 24 && m < 60 ? h * 60 + m : -1;
}

static int weekday(const char *s)
{
	static const char *const days[] = { "sun", "mon", "tue", "wed", "thu",
					     "fri", "sat" };
	int i;

	for (i = 0; i < 7; i++)
		if (strncmp(s, days[i], 3) == 0)
			return i;
	return -1;
}

const char *aws_parse_maintenance_window(const char *s, int *start_min,
					 int *len_min)
{
	static const char *const fmt = "must have the form "
		"ddd:hh24:mi-ddd:hh24:mi in UTC, with ddd one of sun, mon, "
		"tue, wed, thu, fri, sat (for example sun:05:00-sun:06:00)";
	int d1, d2, t1, t2, start, end, len;

	if (strlen(s) != 19 || s[3] != ':' || s[9] != '-' || s[13] != ':')
		return fmt;
	d1 = weekday(s);
	t1 = hhmi(s + 4);
	d2 = weekday(s + 10);
	t2 = hhmi(s + 14);
	if (d1 < 0 || d2 < 0 || t1 < 0 || t2 < 0)
		return fmt;
	start = d1 * 1440 + t1;
	end = d2 * 1440 + t2;
	len = ((end - start) % (7 * 1440) + 7 * 1440) % (7 * 1440);
	if (len < 60)
		return "must be at least 60 minutes long (ElastiCache's "
			"minimum maintenance window)";
	if (len > 24 * 60)
		return "must be at most 24 hours long";
	*start_min = start;
	*len_min = len;
	return NULL;
}

const char *aws_parse_snapshot_window(const char *s, int *start_min,
				      int *len_min)
{
	int t1, t2, len;

	if (strlen(s) != 11 || s[5] != '-' || (t1 = hhmi(s)) < 0 ||
	    (t2 = hhmi(s + 6)) < 0)
		return "must have the form hh24:mi-hh24:mi in UTC (for example "
			"05:00-06:00)";
	len = ((t2 - t1) % 1440 + 1440) % 1440;
	if (len < 60)
		return "must be at least 60 minutes long (ElastiCache's "
			"minimum snapshot window)";
	*start_min = t1;
	*len_min = len;
	return NULL;
}

bool aws_windows_overlap(int maint_start, int maint_len, int snap_start,
			 int snap_len)
{
	const int week = 7 * 1440;
	int day, shift;

	for (day = 0; day < 7; day++) {
		int s = day * 1440 + snap_start;

		for (shift = -week; shift <= week; shift += week) {
			int a0 = maint_start + shift, a1 = a0 + maint_len;

			if (s < a1 && a0 < s + snap_len)
				return true;
		}
	}
	return false;
}

/* Characters AWS allows in tags; bytes >= 0x80 belong to UTF-8 letters,
 * which AWS also allows ("Unicode letters"). */
static bool tag_char_ok(unsigned char ch)
{
	return ch >= 0x80 || is_alpha((char)ch) || is_digit((char)ch) ||
		strchr(" _.:/=+-@", ch) != NULL;
}

/* Unicode characters in s (UTF-8 assumed valid), or SIZE_MAX when a
 * character is not allowed in tags. */
static size_t tag_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (!tag_char_ok(ch))
			return (size_t)-1;
		if ((ch & 0xc0) != 0x80)
			n++;
	}
	return n;
}

const char *aws_check_tag_key(const char *s)
{
	size_t n = tag_len(s);

	if (n == (size_t)-1)
		return "may contain only letters, digits, spaces and "
			"_ . : / = + - @";
	if (n == 0)
		return "must not be empty";
	if (n > 128)
		return "must be at most 128 characters long";
	if (strncasecmp(s, "aws:", 4) == 0)
		return "must not start with \"aws:\" (reserved for AWS)";
	return NULL;
}

const char *aws_check_tag_value(const char *s)
{
	size_t n = tag_len(s);

	if (n == (size_t)-1)
		return "may contain only letters, digits, spaces and "
			"_ . : / = + - @";
	if (n > 256)
		return "must be at most 256 characters long";
	return NULL;
}

static const int64_t log_retentions[] = {
	1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
	1827, 2192, 2557, 2922, 3288, 3653,
};

bool aws_log_retention_valid(int64_t days)
{
	size_t i;

	for (i = 0; i < sizeof(log_retentions) / sizeof(log_retentions[0]);
	     i++)
		if (log_retentions[i] == days)
			return true;
	return false;
}

const char *aws_log_retention_list(void)
{
	return "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, "
		"731, 1096, 1827, 2192, 2557, 2922, 3288, 3653";
}
