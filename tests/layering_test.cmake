# The layering rule of DESIGN.md, enforced: trainer/ on top of four leaves
# (abstraction/, solver/, ipc/, distributed/) that never include each other or trainer/,
# all of them on base/, which includes none of them.
#   cmake -DROOT=<source tree> -P tests/layering_test.cmake
# Fails (exit code 1) naming every include that breaks the rule. It first
# checks itself on a small tree that breaks it on purpose.

function(check_layering root out_violations)
  set(forbidden_base abstraction solver ipc distributed trainer)
  set(forbidden_abstraction solver ipc distributed trainer)
  set(forbidden_solver abstraction ipc distributed trainer)
  set(forbidden_ipc abstraction solver distributed trainer)
  set(forbidden_distributed abstraction solver ipc trainer)
  set(violations "")
  foreach(lib base abstraction solver ipc distributed)
    file(GLOB_RECURSE files "${root}/${lib}/*.h" "${root}/${lib}/*.cpp")
    foreach(f ${files})
      file(STRINGS "${f}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
      foreach(line ${lines})
        string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]*)\".*" "\\1" included "${line}")
        foreach(other ${forbidden_${lib}})
          if(included MATCHES "^${other}/")
            file(RELATIVE_PATH rel "${root}" "${f}")
            list(APPEND violations "${rel} includes ${included} (${lib}/ may not include ${other}/)")
          endif()
        endforeach()
      endforeach()
    endforeach()
  endforeach()
  set(${out_violations} "${violations}" PARENT_SCOPE)
endfunction()

# The check itself: a tree with two violations and an allowed include.
set(probe "${CMAKE_CURRENT_BINARY_DIR}/layering_probe")
file(REMOVE_RECURSE "${probe}")
file(WRITE "${probe}/solver/a.h" "#include \"solver/b.h\"\n#include \"abstraction/card.h\"\n")
file(WRITE "${probe}/ipc/c.cpp" "  #  include \"trainer/config.h\"\n#include \"base/check.h\"\n")
check_layering("${probe}" probe_found)
file(REMOVE_RECURSE "${probe}")
list(LENGTH probe_found probe_count)
if(NOT probe_count EQUAL 2)
  message(FATAL_ERROR "layering check is broken: it found ${probe_count} of the 2 planted violations: ${probe_found}")
endif()

check_layering("${ROOT}" found)
if(found)
  foreach(v ${found})
    message(SEND_ERROR "layering: ${v}")
  endforeach()
  message(FATAL_ERROR "the layering rule is broken (DESIGN.md: layers)")
endif()
message(STATUS "layering: base/, abstraction/, solver/ and ipc/ include only what they may")
