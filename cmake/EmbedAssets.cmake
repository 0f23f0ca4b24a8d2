# Embeds the dashboard (web/src/* plus ECharts' dist/echarts.min.js) into the stockcast binary.
#
# Two modes in one file:
#  - included from src/CMakeLists.txt: stockcast_embed_web_assets(<out_var>) globs the files
#    (CONFIGURE_DEPENDS, so a new file or a fresh `npm ci` re-runs the glob) and adds a build
#    step that writes ${PROJECT_BINARY_DIR}/generated/web_assets.cpp; <out_var> receives that
#    source for the server module.
#  - script mode (cmake -P, the build step): writes the generated source from the list file
#    ASSET_LIST (one "URL=FILE" a line).
#
# The generated .cpp pulls each file in with a top-level `asm(".incbin ...")`: the assembler
# copies the bytes, so a 1 MB script costs nothing to compile, whereas a byte-array initialiser
# that size takes g++ 12 tens of seconds and much memory (g++ 12 has no #embed). A .cpp (rather
# than a .S) needs no ASM language, gets the .note.GNU-stack section from the compiler and is
# compiled with the same flags as every other source. Each file's ETag is the first 16 hex
# digits of its SHA-256; the ETag text is in the .cpp, so a changed file changes the .cpp and the
# object is rebuilt (the compiler's depfile does not list .incbin inputs).

function(stockcast_embed_web_assets out_var)
  set(web_dir "${PROJECT_SOURCE_DIR}/web")
  file(GLOB_RECURSE src_files CONFIGURE_DEPENDS LIST_DIRECTORIES false "${web_dir}/src/*")
  list(SORT src_files)
  # A literal path globbed with CONFIGURE_DEPENDS: when `scripts/web-deps.sh` installs ECharts
  # after configuring, the next build notices and re-configures.
  file(GLOB echarts CONFIGURE_DEPENDS "${web_dir}/node_modules/echarts/dist/echarts.min.js")
  set(entries "")
  foreach(f IN LISTS src_files)
    file(RELATIVE_PATH rel "${web_dir}/src" "${f}")
    if(rel MATCHES "(^|/)\\." OR rel MATCHES "~$")
      continue()  # editor backups and dot files are not served
    endif()
    if(rel STREQUAL "index.html")
      list(APPEND entries "/index.html=${f}")
    else()
      list(APPEND entries "/assets/${rel}=${f}")
    endif()
  endforeach()
  if(echarts)
    list(APPEND entries "/assets/echarts.min.js=${echarts}")
    message(STATUS "Dashboard: embedding ECharts from ${echarts}")
  else()
    message(STATUS "Dashboard: ${web_dir}/node_modules/echarts/dist/echarts.min.js not found; "
                   "\"/\" will say to run scripts/web-deps.sh")
  endif()
  set(files "")
  foreach(e IN LISTS entries)
    string(REGEX REPLACE "^[^=]*=" "" f "${e}")
    list(APPEND files "${f}")
  endforeach()
  set(out "${PROJECT_BINARY_DIR}/generated/web_assets.cpp")
  # The list goes through a file, not the command line (paths may hold spaces).
  set(list_file "${PROJECT_BINARY_DIR}/generated/web_assets.list")
  string(REPLACE ";" "\n" list_text "${entries}")
  file(CONFIGURE OUTPUT "${list_file}" CONTENT "${list_text}\n" @ONLY)
  add_custom_command(
    OUTPUT "${out}"
    COMMAND "${CMAKE_COMMAND}" -DASSET_LIST=${list_file} -DOUTPUT=${out}
            -P "${PROJECT_SOURCE_DIR}/cmake/EmbedAssets.cmake"
    DEPENDS ${files} "${list_file}" "${PROJECT_SOURCE_DIR}/cmake/EmbedAssets.cmake"
    COMMENT "Embedding the dashboard (web/) into web_assets.cpp"
    VERBATIM)
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

# --- script mode ----------------------------------------------------------------------------
if(CMAKE_SCRIPT_MODE_FILE AND CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  if(NOT ASSET_LIST OR NOT OUTPUT)
    message(FATAL_ERROR "EmbedAssets.cmake: script mode needs -DASSET_LIST=FILE -DOUTPUT=FILE")
  endif()
  file(STRINGS "${ASSET_LIST}" entries)

  # Content types by extension; anything else is served as bytes.
  function(_sc_content_type path out)
    string(TOLOWER "${path}" p)
    if(p MATCHES "\\.html?$")
      set(t "text/html; charset=utf-8")
    elseif(p MATCHES "\\.m?js$")
      set(t "text/javascript; charset=utf-8")
    elseif(p MATCHES "\\.css$")
      set(t "text/css; charset=utf-8")
    elseif(p MATCHES "\\.json$")
      set(t "application/json")
    elseif(p MATCHES "\\.svg$")
      set(t "image/svg+xml")
    elseif(p MATCHES "\\.png$")
      set(t "image/png")
    elseif(p MATCHES "\\.ico$")
      set(t "image/x-icon")
    elseif(p MATCHES "\\.txt$")
      set(t "text/plain; charset=utf-8")
    else()
      set(t "application/octet-stream")
    endif()
    set(${out} "${t}" PARENT_SCOPE)
  endfunction()

  # A C++ string literal's body for `s` (paths here are plain, but be safe).
  function(_sc_cxx_escape s out)
    string(REPLACE "\\" "\\\\" s "${s}")
    string(REPLACE "\"" "\\\"" s "${s}")
    set(${out} "${s}" PARENT_SCOPE)
  endfunction()

  set(asm "")
  set(decls "")
  set(rows "")
  set(has_charts false)
  set(i 0)
  foreach(e IN LISTS entries)
    if(e STREQUAL "")
      continue()
    endif()
    string(REGEX MATCH "^[^=]*" url "${e}")
    string(REGEX REPLACE "^[^=]*=" "" file "${e}")
    if(NOT EXISTS "${file}")
      message(FATAL_ERROR "EmbedAssets.cmake: ${file} (for ${url}) does not exist; re-run cmake")
    endif()
    file(SHA256 "${file}" sha)
    string(SUBSTRING "${sha}" 0 16 etag)
    _sc_content_type("${url}" type)
    if(url STREQUAL "/assets/echarts.min.js")
      set(has_charts true)
    endif()
    # The assembler string: backslashes and quotes escaped once for the assembler, then the
    # whole line once more for the C++ literal.
    string(REPLACE "\\" "\\\\" as_path "${file}")
    string(REPLACE "\"" "\\\"" as_path "${as_path}")
    _sc_cxx_escape("${as_path}" as_path_cxx)
    _sc_cxx_escape("${url}" url_cxx)
    string(APPEND asm
      "    \".balign 16\\n\"\n"
      "    \"sc_web_asset_${i}:\\n\"\n"
      "    \".incbin \\\"${as_path_cxx}\\\"\\n\"\n"
      "    \"sc_web_asset_${i}_end:\\n\"\n"
      "    \".byte 0\\n\"  // ${etag}\n")
    string(APPEND decls
      "extern \"C\" const char sc_web_asset_${i}[];\n"
      "extern \"C\" const char sc_web_asset_${i}_end[];\n")
    string(APPEND rows
      "    {\"${url_cxx}\", \"${type}\", sc_web_asset_${i}, sc_web_asset_${i}_end, \"\\\"${etag}\\\"\"},\n")
    math(EXPR i "${i} + 1")
  endforeach()

  if(i EQUAL 0)
    string(CONCAT body
      "const EmbeddedFile kEmbeddedFiles[1] = {{nullptr, nullptr, nullptr, nullptr, nullptr}};\n"
      "const std::size_t kEmbeddedFileCount = 0;\n")
  else()
    string(CONCAT body
      "const EmbeddedFile kEmbeddedFiles[${i}] = {\n${rows}};\n"
      "const std::size_t kEmbeddedFileCount = ${i};\n")
  endif()
  string(CONCAT text
    "// Generated by cmake/EmbedAssets.cmake from web/: do not edit.\n"
    "#include <cstddef>\n\n"
    "#include \"server/assets.h\"\n\n")
  if(i GREATER 0)
    string(APPEND text
      "// The files' bytes, each followed by a NUL (not part of the asset), in read-only data.\n"
      "asm(\".pushsection .rodata.stockcast_web_assets,\\\"a\\\",@progbits\\n\"\n"
      "${asm}"
      "    \".popsection\\n\");\n\n"
      "${decls}\n")
  endif()
  string(APPEND text
    "namespace stockcast::server::detail {\n\n"
    "${body}"
    "const bool kEmbeddedHasCharts = ${has_charts};\n\n"
    "}  // namespace stockcast::server::detail\n")
  # Always written (this step runs only when an input changed), so the output is newer than
  # its inputs and the object is rebuilt with the new bytes.
  file(WRITE "${OUTPUT}" "${text}")
endif()
