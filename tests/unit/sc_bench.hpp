// The module tests' shared scaffold: SystemC elaborates once per process, so
// each test program builds its bench (initiator testers, the module under
// test, mock neighbours) and runs the simulation once, in the cmocka group
// setup; the tests then read what happened. Usage:
//   static Bench *&bench = ScBench<Bench>::bench;
//   ... cmocka_run_group_tests(tests, ScBench<Bench>::run_once, ScBench<Bench>::teardown);
#ifndef TCESIM_TESTS_SC_BENCH_HPP
#define TCESIM_TESTS_SC_BENCH_HPP

#include <systemc>

template <class Bench> struct ScBench {
    static Bench *bench;
    static int run_once(void **state)
    {
        (void)state;
        sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
        bench = new Bench;
        sc_core::sc_start();
        return 0;
    }
    static int teardown(void **state)
    {
        (void)state;
        delete bench;
        bench = nullptr;
        return 0;
    }
};
template <class Bench> Bench *ScBench<Bench>::bench = nullptr;

#endif
