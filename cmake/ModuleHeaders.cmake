# imu2clip_module_headers(<target>): makes the headers of the calling folder (e.g. tagger/live)
# includable as "tagger/live/..." by <target> and by whatever links <target>, and by nothing
# else. There is no include path to the source root: a target finds another folder's headers
# only by linking that folder's library, so a missing dependency is a compile error rather than
# something a global include hides. (The direction of those dependencies, the layer rule, is
# checked by scripts/check_layers.sh.)
#
# Each folder gets its own root under ${CMAKE_BINARY_DIR}/module_headers holding one symbolic
# link, <root>/tagger/live -> <source>/tagger/live, so sources keep their full include paths.
#
# FOLDER <path relative to the source root> names another folder (a target defined elsewhere).
function(imu2clip_module_headers target)
  cmake_parse_arguments(ARG "" "FOLDER" "" ${ARGN})
  if(ARG_FOLDER)
    set(folder ${ARG_FOLDER})
  else()
    file(RELATIVE_PATH folder ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR})
  endif()
  string(REPLACE "/" "." key "${folder}")
  set(root ${CMAKE_BINARY_DIR}/module_headers/${key})
  set(link ${root}/${folder})
  if(NOT IS_SYMLINK ${link})
    get_filename_component(parent ${link} DIRECTORY)
    file(MAKE_DIRECTORY ${parent})
    file(CREATE_LINK ${CMAKE_SOURCE_DIR}/${folder} ${link} SYMBOLIC)
  endif()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE ${root})
  else()
    target_include_directories(${target} PUBLIC ${root})
  endif()
endfunction()
