# Use ccache when present. PCH and ccache need 'sloppiness' settings to get cache hits.
find_program(PTQ_CCACHE ccache)
if(PTQ_CCACHE)
  set(_ptq_launcher env CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime ${PTQ_CCACHE})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${_ptq_launcher})
  set(CMAKE_CUDA_COMPILER_LAUNCHER ${_ptq_launcher})
endif()
