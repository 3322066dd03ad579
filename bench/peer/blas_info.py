"""Which BLAS library this process really loaded (from /proc/self/maps) and, for OpenBLAS,
its build configuration and thread count (openblas_get_config, openblas_get_num_threads)."""
import ctypes


def blas_info():
    libs = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if "blas" in path or "lapack" in path or "mkl" in path:
                libs.add(path)
    info = {"libraries": sorted(libs)}
    for path in sorted(libs):
        if "openblas" not in path:
            continue
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_config.restype = ctypes.c_char_p
            info["openblas_config"] = lib.openblas_get_config().decode()
            info["openblas_threads"] = lib.openblas_get_num_threads()
            break
        except (OSError, AttributeError):
            continue
    return info
