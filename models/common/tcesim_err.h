/* Error codes shared by the C models and trace code. A library never exits
 * on bad input: it returns one of these, and the caller turns it into a
 * `file:line: message` or `key: message` and a non-zero exit. */
#ifndef TCESIM_ERR_H
#define TCESIM_ERR_H

enum {
    TCESIM_OK = 0,
    TCESIM_EINVAL = -1,   /* an argument or field out of range */
    TCESIM_ENOMEM = -2,   /* host allocation failed */
    TCESIM_ERANGE = -3,   /* geometry rejected (e.g. Linux's level rule) */
    TCESIM_ENOSPC = -4,   /* simulated resource exhausted */
    TCESIM_EIO = -5,      /* file could not be read or written */
};

const char *tcesim_strerror(int err);

#endif
