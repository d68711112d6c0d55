{application, elixir_script, [{description, "Elixir trees started from a script"}, {vsn, "1.0.0"}, {modules, []}, {applications, [kernel, stdlib, elixir]}]}.
