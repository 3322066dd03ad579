/* Argument and result helpers shared by the addon's Node-API entry points (gemm.c, rows.c, eltwise.c). */
#ifndef TIERC_NAPI_UTIL_H
#define TIERC_NAPI_UTIL_H

#include "node_api_min.h"

/* Throws a RangeError with `message` and returns NULL for the callback to return. */
static inline napi_value throw_range_error(napi_env env, const char *message) {
  napi_throw_range_error(env, NULL, message);
  return NULL;
}

/* Throws a TypeError with `message` and returns NULL for the callback to return. */
static inline napi_value throw_type_error(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

/* Returns JavaScript's undefined, the result of a callback with nothing to return. */
static inline napi_value undefined_value(napi_env env) {
  napi_value value = NULL;
  napi_get_undefined(env, &value);
  return value;
}

/* Reads a typed array of the expected element type; returns 0 with its data and length, else -1. */
static inline int read_typed_array(napi_env env, napi_value value, napi_typedarray_type expected, void **data,
                                   size_t *length) {
  bool is_typed = false;
  napi_typedarray_type type;
  napi_value buffer = NULL;
  size_t byte_offset = 0;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return -1;
  if (napi_get_typedarray_info(env, value, &type, length, data, &buffer, &byte_offset) != napi_ok) return -1;
  return type == expected ? 0 : -1;
}

#endif
