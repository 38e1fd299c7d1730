# Use ccache when present. PCH and ccache need 'sloppiness' settings to get cache hits.
find_program(PTQ_CCACHE ccache)
if(PTQ_CCACHE)
  # CCACHE_BASEDIR makes paths relative, so fresh clones in other folders (CI) hit the cache.
  set(_ptq_launcher env CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
                    CCACHE_BASEDIR=${PROJECT_SOURCE_DIR} ${PTQ_CCACHE})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${_ptq_launcher})
  set(CMAKE_CUDA_COMPILER_LAUNCHER ${_ptq_launcher})
endif()
