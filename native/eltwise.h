/* Element-wise kernels of the native addon (eltwise.c): registers the `binary` export. */
#ifndef TIERC_ELTWISE_H
#define TIERC_ELTWISE_H

#include "node_api_min.h"

/* Adds the `binary` function to the module's exports; returns 0, or -1 when Node-API fails. */
int eltwise_register(napi_env env, napi_value exports);

#endif
