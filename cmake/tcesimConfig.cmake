# find_package(tcesim): tcesim::tcesim (libtcesim, the C API tcesim/tcesim.h;
# shared, or static with -DTCESIM_USE_STATIC=ON before find_package) and
# tcesim::ip (the SystemC IP headers tcesim/ip.hpp on top of it).
# Relocatable: every path from this file's place (PREFIX/lib/cmake/tcesim).
# Debian ships SystemC's pkg-config file but no CMake package: the
# dependencies come through pkg-config.
include(CMakeFindDependencyMacro)
find_dependency(PkgConfig)
find_dependency(Threads)
find_dependency(Boost 1.70) # the IP headers use Boost.Histogram (sim/stats.hpp)
pkg_check_modules(TCESIM_DEP_SYSTEMC REQUIRED IMPORTED_TARGET systemc)
pkg_check_modules(TCESIM_DEP_JANSSON REQUIRED IMPORTED_TARGET jansson)
pkg_check_modules(TCESIM_DEP_ZSTD REQUIRED IMPORTED_TARGET libzstd)

get_filename_component(_tcesim_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET tcesim::tcesim)
  if(TCESIM_USE_STATIC)
    add_library(tcesim::tcesim STATIC IMPORTED)
    # C++ inside: a C program links it with the C++ driver (libstdc++).
    set_target_properties(tcesim::tcesim PROPERTIES IMPORTED_LOCATION "${_tcesim_prefix}/lib/libtcesim.a"
      IMPORTED_LINK_INTERFACE_LANGUAGES "CXX"
      INTERFACE_LINK_LIBRARIES "PkgConfig::TCESIM_DEP_SYSTEMC;PkgConfig::TCESIM_DEP_JANSSON;PkgConfig::TCESIM_DEP_ZSTD;Threads::Threads;m")
  else()
    add_library(tcesim::tcesim SHARED IMPORTED)
    set_target_properties(tcesim::tcesim PROPERTIES IMPORTED_LOCATION "${_tcesim_prefix}/lib/libtcesim.so"
      IMPORTED_SONAME "libtcesim.so.0")
  endif()
  set_target_properties(tcesim::tcesim PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_tcesim_prefix}/include")
  add_library(tcesim::ip INTERFACE IMPORTED)
  set(_tcesim_internal "${_tcesim_prefix}/include/tcesim/internal")
  set_target_properties(tcesim::ip PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_tcesim_internal};${_tcesim_internal}/sim;${_tcesim_internal}/models"
    INTERFACE_LINK_LIBRARIES "tcesim::tcesim;PkgConfig::TCESIM_DEP_SYSTEMC;PkgConfig::TCESIM_DEP_JANSSON;Boost::headers"
    INTERFACE_COMPILE_FEATURES cxx_std_17)
endif()
unset(_tcesim_prefix)
unset(_tcesim_internal)
