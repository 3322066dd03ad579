/* Row and element kernels of the native addon (rows.c): registers the `rows` export. */
#ifndef TIERC_ROWS_H
#define TIERC_ROWS_H

#include "node_api_min.h"

/* Adds the `rows` function to the module's exports; returns 0, or -1 when Node-API fails. */
int rows_register(napi_env env, napi_value exports);

#endif
