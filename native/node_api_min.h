/*
 * The few Node-API (N-API) declarations that the tierc native addon uses, written from the
 * documented C ABI so that the build needs no downloaded node headers. Node-API is a stable
 * ABI: the functions below resolve from the node binary when the addon is loaded, and every
 * Node release from 10 onward exports them. Only the declarations are here; the values of
 * the enums follow js_native_api_types.h of Node-API version 8.
 */
#ifndef TIERC_NODE_API_MIN_H
#define TIERC_NODE_API_MIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct napi_env__ *napi_env;
typedef struct napi_value__ *napi_value;
typedef struct napi_callback_info__ *napi_callback_info;

/* Only napi_ok is compared against; any other status is an error. */
typedef enum { napi_ok = 0 } napi_status;

typedef enum {
  napi_undefined = 0,
  napi_null = 1,
  napi_boolean = 2,
  napi_number = 3,
  napi_string = 4,
  napi_symbol = 5,
  napi_object = 6,
  napi_function = 7,
  napi_external = 8,
  napi_bigint = 9
} napi_valuetype;

typedef enum {
  napi_int8_array = 0,
  napi_uint8_array = 1,
  napi_uint8_clamped_array = 2,
  napi_int16_array = 3,
  napi_uint16_array = 4,
  napi_int32_array = 5,
  napi_uint32_array = 6,
  napi_float32_array = 7,
  napi_float64_array = 8,
  napi_bigint64_array = 9,
  napi_biguint64_array = 10
} napi_typedarray_type;

typedef napi_value (*napi_callback)(napi_env env, napi_callback_info info);

/* Length argument that marks a NUL-terminated string. */
#define NAPI_AUTO_LENGTH SIZE_MAX

napi_status napi_create_function(napi_env env, const char *utf8name, size_t length, napi_callback cb, void *data,
                                 napi_value *result);
napi_status napi_set_named_property(napi_env env, napi_value object, const char *utf8name, napi_value value);
napi_status napi_create_string_utf8(napi_env env, const char *str, size_t length, napi_value *result);
napi_status napi_create_int32(napi_env env, int32_t value, napi_value *result);
napi_status napi_get_undefined(napi_env env, napi_value *result);
napi_status napi_get_cb_info(napi_env env, napi_callback_info cbinfo, size_t *argc, napi_value *argv,
                             napi_value *this_arg, void **data);
napi_status napi_typeof(napi_env env, napi_value value, napi_valuetype *result);
napi_status napi_get_value_double(napi_env env, napi_value value, double *result);
napi_status napi_is_typedarray(napi_env env, napi_value value, bool *result);
napi_status napi_is_arraybuffer(napi_env env, napi_value value, bool *result);
napi_status napi_get_typedarray_info(napi_env env, napi_value typedarray, napi_typedarray_type *type, size_t *length,
                                     void **data, napi_value *arraybuffer, size_t *byte_offset);
napi_status napi_throw_type_error(napi_env env, const char *code, const char *msg);
napi_status napi_throw_range_error(napi_env env, const char *code, const char *msg);
napi_status napi_throw_error(napi_env env, const char *code, const char *msg);

#endif
