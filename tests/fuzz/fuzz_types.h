/*
 * fuzz_types.h - the fixed types the codec fuzz targets decode against,
 * selected by the first input byte.
 */
#ifndef TESTS_FUZZ_FUZZ_TYPES_H
#define TESTS_FUZZ_FUZZ_TYPES_H

#include "core/arena.h"
#include "schema/value.h"

#define FUZZ_NTYPES 8

/* 0 dynamic, 1 string, 2 number, 3 list of string, 4 set of number,
 * 5 map of dynamic, 6 tuple [string, bool, dynamic],
 * 7 object {name string, port number, tags map(string),
 *           rule list(object {cidr string, ports set(number)}),
 *           extra dynamic} */
static const struct type *fuzz_type(struct arena *a, unsigned sel)
{
	const struct type *rule, *t;

	switch (sel % FUZZ_NTYPES) {
	case 0: return &type_dynamic;
	case 1: return &type_string;
	case 2: return &type_number;
	case 3: return type_list(a, &type_string);
	case 4: return type_set(a, &type_number);
	case 5: return type_map(a, &type_dynamic);
	case 6:
		return type_tuple(a, 3, (const struct type *[]){
					  &type_string, &type_bool,
					  &type_dynamic });
	default:
		rule = type_object(a, 2, (const char *[]){ "cidr", "ports" },
				   (const struct type *[]){
					   &type_string,
					   type_set(a, &type_number) }, NULL);
		t = type_object(a, 5,
				(const char *[]){ "name", "port", "tags",
						  "rule", "extra" },
				(const struct type *[]){
					&type_string, &type_number,
					type_map(a, &type_string),
					type_list(a, rule), &type_dynamic },
				NULL);
		return t;
	}
}

#endif
