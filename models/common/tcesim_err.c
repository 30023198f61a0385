#include "tcesim_err.h"

const char *tcesim_strerror(int err)
{
    switch (err) {
    case TCESIM_OK: return "success";
    case TCESIM_EINVAL: return "invalid argument";
    case TCESIM_ENOMEM: return "out of memory";
    case TCESIM_ERANGE: return "geometry rejected";
    case TCESIM_ENOSPC: return "no space left";
    case TCESIM_EIO: return "I/O error";
    default: return "unknown error";
    }
}
