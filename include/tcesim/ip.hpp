// tcesim's SystemC IP: the PHB, memory and device TLM-2.0 modules for a
// platform of your own (docs/embedding.md walks through one,
// examples/embed-systemc/ is one). C++17, SystemC 2.3; build with
// pkg-config's `tcesim-ip` or CMake's tcesim::ip.
//
//   tcesim::PhbModule    target socket dev_sock (inbound DMA TLPs, one port
//                        per initiator bound, in bind order), initiator socket
//                        mem_sock (TCE fetches and DMA data, to memory);
//                        a transaction carries tcesim::RidExt (its requester)
//                        or gets TLM_GENERIC_ERROR_RESPONSE; statistics:
//                        phb_get_stats(phb.model()), xlate_latency().
//   tcesim::MemoryTarget target socket sock (any number of initiators), a
//                        plain loosely-timed target without tcesim's TimeExt;
//                        statistics: stats().
//   tcesim::DeviceModule tcesim's endpoint model (tags, link, engine), as
//                        `tcesim run` wires it from a trace (sim/system/).
//
// Parameters: the C models' structs (phb_params, mem_params), or from a
// configuration subtree: config_defaults / config_load_file / config_set
// (config.h, the keys of `tcesim config`), then phb_params_from(cfg) and
// memory_params(cfg, horizon). The TVT and TCE tables are programmed through
// the C models (phb_set_rid, phb_set_tve, tce_table_*: see the example).
//
// Time: every time is integer picoseconds; SystemC's time resolution must
// be 1 ps (its default; PhbModule::ok() is false otherwise). The modules are
// loosely timed: they return at once and add their latency to the annotated
// delay, so they work under a platform's quantum keeper.
#ifndef TCESIM_IP_HPP
#define TCESIM_IP_HPP

#include <systemc>
#include <tlm>

#include "components/device/device_module.hpp"
#include "components/memory/memory_keys.hpp"
#include "components/memory/memory_module.hpp"
#include "components/payload.hpp"
#include "components/phb/phb_keys.hpp"
#include "components/phb/phb_module.hpp"
#include "config.h"

extern "C" {
#include "memory/physalloc.h"
#include "memory/physmem.h"
#include "phb/phb.h"
#include "rtt/rtt.h"
#include "tce/tce_table.h"
#include "tvt/tve.h"
}

#endif
