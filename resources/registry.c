/*
 * registry.c - every resource type the provider serves (resource.h).
 *
 * Each AWS resource file exports one `const struct resource` and is listed
 * here.  Built twice by the Makefile: plain for the release provider, and
 * with PROVIDER_TEST_FIXTURES for build/terraform-provider-secure-test and
 * the unit tests, which then also serve the fixture resources of
 * tests/fixtures/ (never visible to users).
 */
#include "resources/resource.h"

#include <string.h>

#include "resources/redis_cluster.h"
#include "resources/redis_rbac_users.h"

#ifdef PROVIDER_TEST_FIXTURES
#include "tests/fixtures/fixture_resource.h"
#endif

const struct resource *const resources_all[] = {
#ifdef PROVIDER_TEST_FIXTURES
	&fixture_resource,
#endif
	&redis_cluster_resource,
	&redis_rbac_users_resource,
	NULL,
};

const struct resource *resource_find(const char *type_name)
{
	size_t i;

	if (!type_name)
		return NULL;
	for (i = 0; resources_all[i]; i++)
		if (strcmp(resources_all[i]->type_name, type_name) == 0)
			return resources_all[i];
	return NULL;
}
