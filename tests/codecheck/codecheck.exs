# codecheck.exs — every code block otp-advisor prints must parse, and name real things.
#
#   elixir tests/codecheck/codecheck.exs BLOCKS_FILE...
#
# A blocks file holds blocks, each after a header line "%%%%BLOCK elixir|erlang LABEL".
# Elixir blocks: Code.string_to_quoted!/1, then no alias built on a variable
# (`defmodule gen.Worker`), no capitalised call on a variable (`supervisor.Partitions`),
# no pid or reference text. Erlang blocks: erl_scan + erl_parse, as forms or as
# expressions, the whole block or line by line. Exits 1 listing every failure.
defmodule CodeCheck do
  def blocks(text) do
    text
    |> String.split(~r/^%%%%BLOCK /m, trim: true)
    |> Enum.map(fn chunk ->
      [header | rest] = String.split(chunk, "\n", parts: 2)
      [lang | label] = String.split(header, " ", parts: 2)
      {lang, Enum.join(label), Enum.join(rest)}
    end)
  end

  def check("elixir", code) do
    if code =~ ~r/#PID<|#Ref<|<\d+\.\d+\.\d+>/, do: throw("pid or reference text")
    ast = Code.string_to_quoted!(code)

    Macro.prewalk(ast, fn
      {:__aliases__, _, [h | _]} = n when not is_atom(h) ->
        throw("alias on a variable: #{Macro.to_string(n)}")

      {{:., _, [{v, _, ctx}, f]}, _, _} = n when is_atom(v) and is_atom(ctx) and is_atom(f) ->
        if String.match?(Atom.to_string(f), ~r/^[A-Z]/),
          do: throw("capitalised call on a variable: #{Macro.to_string(n)}"),
          else: n

      n ->
        n
    end)

    :ok
  end

  def check("erlang", code) do
    if code =~ ~r/<\d+\.\d+\.\d+>|#Ref</, do: throw("pid or reference text")

    case erlang_ok(code) do
      :ok ->
        :ok

      {:error, why} ->
        # advice lists independent lines: each must parse on its own
        bad =
          code
          |> String.split("\n", trim: true)
          |> Enum.reject(&(String.trim(&1) == "" or String.starts_with?(String.trim(&1), "%")))
          |> Enum.map(&{&1, erlang_ok(&1)})
          |> Enum.filter(fn {_, r} -> r != :ok end)

        if bad == [], do: :ok, else: throw("#{why}; lines: #{inspect(Enum.map(bad, &elem(&1, 0)))}")
    end
  end

  def check(lang, _), do: throw("unknown language #{lang}")

  defp erlang_ok(code) do
    case :erl_scan.string(String.to_charlist(code)) do
      {:ok, toks, end_loc} ->
        chunks = split_dots(toks, [], [])

        Enum.reduce_while(chunks, :ok, fn {ts, dot}, _ ->
          form = if dot, do: :erl_parse.parse_form(ts ++ [dot]), else: {:error, :no_dot}

          cond do
            match?({:ok, _}, form) ->
              {:cont, :ok}

            match?({:ok, _}, :erl_parse.parse_exprs(ts ++ [dot || {:dot, end_loc}])) ->
              {:cont, :ok}

            true ->
              {:error, {_, m, e}} = :erl_parse.parse_exprs(ts ++ [dot || {:dot, end_loc}])
              {:halt, {:error, List.to_string(m.format_error(e))}}
          end
        end)

      {:error, {_, m, e}, _} ->
        {:error, List.to_string(m.format_error(e))}
    end
  end

  defp split_dots([], [], acc), do: Enum.reverse(acc)
  defp split_dots([], cur, acc), do: Enum.reverse([{Enum.reverse(cur), nil} | acc])
  defp split_dots([{:dot, _} = d | rest], cur, acc), do: split_dots(rest, [], [{Enum.reverse(cur), d} | acc])
  defp split_dots([t | rest], cur, acc), do: split_dots(rest, [t | cur], acc)

  def main(files) do
    results =
      for f <- files, {lang, label, code} <- blocks(File.read!(f)) do
        try do
          check(lang, code)
          :ok
        rescue
          e -> {:fail, f, label, lang, Exception.message(e), code}
        catch
          why -> {:fail, f, label, lang, to_string(why), code}
        end
      end

    fails = Enum.filter(results, &(&1 != :ok))

    for {:fail, f, label, lang, why, code} <- fails do
      IO.puts("FAIL #{Path.basename(f)} #{label} (#{lang}): #{why}\n" <> String.replace(code, ~r/^/m, "    | "))
    end

    IO.puts("codecheck: #{length(results) - length(fails)} of #{length(results)} blocks parse")
    if fails != [], do: System.halt(1)
  end
end

CodeCheck.main(System.argv())
