import { describe, expect, it } from "vitest";
import { withDefaults } from "../../app/components/echarts";

describe("chart defaults", () => {
  it("value axes count whole people or organismes, in French, unless the chart says otherwise", () => {
    const o = withDefaults({ xAxis: { type: "category", data: ["a"] }, yAxis: { type: "value" } }) as {
      xAxis: Record<string, unknown>;
      yAxis: { minInterval?: number; axisLabel: { formatter: (v: number) => string } };
    };
    expect(o.yAxis.minInterval).toBe(1);
    expect(o.yAxis.axisLabel.formatter(12345)).toBe("12\u202f345");
    expect(o.xAxis.minInterval).toBeUndefined();
    const taux = withDefaults({ yAxis: { type: "value", minInterval: 0.1 } }) as { yAxis: { minInterval: number } };
    expect(taux.yAxis.minInterval).toBe(0.1);
  });
});
